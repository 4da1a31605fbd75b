using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;

namespace Personalize.Trainer.Tests;

public sealed class CheckpointResumeTests
{
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
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.TrainAsync(data, null, null, null, kill.Token));

            var epochs = new List<int>();
            var second = new HrnnTrainer(settings, store, checkpoints, (progress, _) =>
            {
                epochs.Add(progress.Epoch!.Value);
                return Task.CompletedTask;
            });
            using var network = await second.TrainAsync(data, null, null, null, CancellationToken.None);

            Assert.Equal([3, 4], epochs);
            var saved = await store.ListAsync(checkpoints, CancellationToken.None).Select(o => o.Uri.Name).ToListAsync();
            Assert.Equal(["epoch-0001.pt", "epoch-0002.pt", "epoch-0003.pt", "epoch-0004.pt"], saved.Order());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
