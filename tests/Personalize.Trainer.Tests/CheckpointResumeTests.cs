using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;

namespace Personalize.Trainer.Tests;

[Collection(SeededTrainingCollection.Name)]
public sealed class CheckpointResumeTests
{
    [Fact]
    public async Task ResumedTraining_EndsWithTheWeightsOfARunThatWasNeverStopped()
    {
        var root = Directory.CreateTempSubdirectory("trainer-resume-exact-").FullName;
        try
        {
            var store = new FolderObjectStore(root);
            var data = UserSequences.Build(TasteData.Create(users: 60).Interactions);
            var settings = Training.Fast with { Epochs = 4, HiddenDimension = 16, Bptt = 8 };
            using var uninterrupted = await new HrnnTrainer(settings, store, null, Training.Ignore).TrainAsync(data, null, null, null, null, CancellationToken.None);

            var checkpoints = S3Uri.Parse("s3://bucket/ns/group/solutions/s/v1/checkpoints/");
            using var kill = new CancellationTokenSource();
            var stopped = new HrnnTrainer(settings, store, checkpoints, (progress, _) =>
            {
                if (progress.Epoch == 2)
                {
                    kill.Cancel();
                }

                return Task.CompletedTask;
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped.TrainAsync(data, null, null, null, null, kill.Token));
            using var resumed = await new HrnnTrainer(settings, store, checkpoints, Training.Ignore).TrainAsync(data, null, null, null, null, CancellationToken.None);

            // Adam's moments are part of the checkpoint: without them the resumed epochs take different steps.
            var pairs = uninterrupted.parameters().Zip(resumed.parameters()).ToList();
            Assert.NotEmpty(pairs);
            foreach (var (a, b) in pairs)
            {
                using var difference = (a - b).abs().max();
                Assert.True(difference.item<float>() < 1e-5f, $"a parameter differs by {difference.item<float>()}");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task KilledTraining_ResumesAfterItsNewestCheckpoint()
    {
        var root = Directory.CreateTempSubdirectory("trainer-resume-").FullName;
        try
        {
            var store = new FolderObjectStore(root);
            var checkpoints = S3Uri.Parse("s3://bucket/ns/group/solutions/s/v1/checkpoints/");
            var data = UserSequences.Build(TasteData.Create(users: 60).Interactions);
            var settings = Training.Fast with { Epochs = 4, HiddenDimension = 16, Bptt = 8 };

            // The first run is killed (cancelled) as soon as epoch 2 has been checkpointed.
            using var kill = new CancellationTokenSource();
            var first = new HrnnTrainer(settings, store, checkpoints, (progress, _) =>
            {
                if (progress.Epoch == 2)
                {
                    kill.Cancel();
                }

                return Task.CompletedTask;
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.TrainAsync(data, null, null, null, null, kill.Token));

            var epochs = new List<int>();
            var second = new HrnnTrainer(settings, store, checkpoints, (progress, _) =>
            {
                epochs.Add(progress.Epoch!.Value);
                return Task.CompletedTask;
            });
            using var network = await second.TrainAsync(data, null, null, null, null, CancellationToken.None);

            Assert.Equal([3, 4], epochs);
            var saved = await store.ListAsync(checkpoints, CancellationToken.None).Select(o => o.Uri.Name).ToListAsync();
            Assert.Equal(["epoch-0001.ckpt", "epoch-0002.ckpt", "epoch-0003.ckpt", "epoch-0004.ckpt"], saved.Order());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task CheckpointsOfAnEarlierLayout_AreNotResumedFrom()
    {
        var root = Directory.CreateTempSubdirectory("trainer-resume-layout-").FullName;
        try
        {
            var store = new FolderObjectStore(root);
            var checkpoints = S3Uri.Parse("s3://bucket/ns/group/solutions/s/v1/checkpoints/");
            var data = UserSequences.Build(TasteData.Create(users: 60).Interactions);
            var settings = Training.Fast with { Epochs = 4, HiddenDimension = 16, Bptt = 8 };

            // Where the checkpoints with TorchSharp's Adam state were kept: reading their optimizer state as ours would misread it.
            foreach (var variant in new[] { settings, settings with { TargetHorizon = 1 } })
            {
                var old = checkpoints.Append($"hrnn-{variant.Fingerprint(data.ItemIds.Count, data.UserIds.Count, data.Interactions)}/epoch-0002.ckpt");
                await store.WriteAsync(old, new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8]), CancellationToken.None);
            }

            var epochs = new List<int>();
            using var network = await new HrnnTrainer(settings, store, checkpoints, (progress, _) =>
            {
                epochs.AddRange(progress.Epoch is { } epoch ? [epoch] : []);
                return Task.CompletedTask;
            }).TrainAsync(data, null, null, null, null, CancellationToken.None);

            Assert.Equal(1, epochs[0]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

}
