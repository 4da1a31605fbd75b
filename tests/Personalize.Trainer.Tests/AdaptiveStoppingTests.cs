using System.Text.RegularExpressions;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using TorchSharp;

namespace Personalize.Trainer.Tests;

[Collection(SeededTrainingCollection.Name)]
public sealed partial class AdaptiveStoppingTests
{
    // 300 users: 30 validation users, enough to judge epochs by (HrnnValidation.MinUsers).
    private static readonly UserSequences Data = UserSequences.Build(TasteData.Create(users: 300).Interactions);

    private static readonly HrnnSettings Settings = Training.Fast with { Epochs = 40, MinEpochs = 3, HiddenDimension = 16, Bptt = 8, LearningRate = 0.05 };

    [Fact]
    public async Task Training_StopsWhenValidationStopsImproving_AndKeepsTheBestEpochsWeights()
    {
        var progress = new List<JobProgress>();
        using var network = await new HrnnTrainer(Settings, new FolderObjectStore(Path.GetTempPath()), null, Training.Record(progress)).TrainAsync(Data, null, null, null, null, CancellationToken.None);

        var trained = progress.Where(p => p.Epoch is not null).Select(p => p.Epoch!.Value).ToList();
        Assert.True(trained.Count < Settings.Epochs, $"trained all {trained.Count} epochs");
        var stop = StopMessage().Match(progress[^1].Message ?? string.Empty);
        Assert.True(stop.Success, progress[^1].Message);
        var best = int.Parse(stop.Groups["best"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(trained[^1], int.Parse(stop.Groups["last"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(trained[^1] - Settings.ValidationPatience, best);
        Assert.True(best >= Settings.MinEpochs, $"kept epoch {best}, before the {Settings.MinEpochs} every training runs");

        // A run that ends at the best epoch trains the same epochs: the stopped run must return its weights.
        using var untilBest = await new HrnnTrainer(Settings with { Epochs = best }, new FolderObjectStore(Path.GetTempPath()), null, Training.Ignore).TrainAsync(Data, null, null, null, null, CancellationToken.None);
        AssertSameWeights(untilBest, network);
    }

    [Fact]
    public async Task Training_RunsItsMinimumEpochs_AndKeepsNoEarlierEpoch_ThoughValidationPeakedBefore()
    {
        // Validation peaks early on this data at this rate (the test above stops well before epoch 40); a few hundred
        // validation users are too few to trust so early a peak, so the first MinEpochs always train.
        var floor = Settings with { MinEpochs = 12 };
        var progress = new List<JobProgress>();
        using var network = await new HrnnTrainer(floor, new FolderObjectStore(Path.GetTempPath()), null, Training.Record(progress)).TrainAsync(Data, null, null, null, null, CancellationToken.None);

        var trained = progress.Where(p => p.Epoch is not null).Select(p => p.Epoch!.Value).ToList();
        Assert.True(trained[^1] >= floor.MinEpochs, $"stopped after epoch {trained[^1]}");
        var stop = StopMessage().Match(progress[^1].Message ?? string.Empty);
        var kept = stop.Success ? int.Parse(stop.Groups["best"].Value, System.Globalization.CultureInfo.InvariantCulture) : trained[^1];
        Assert.True(kept >= floor.MinEpochs, $"kept epoch {kept}");
    }

    [Fact]
    public async Task ResumedTraining_StopsAtTheSameEpochWithTheSameWeights()
    {
        var root = Directory.CreateTempSubdirectory("trainer-resume-validation-").FullName;
        try
        {
            var store = new FolderObjectStore(root);
            var uninterruptedProgress = new List<JobProgress>();
            using var uninterrupted = await new HrnnTrainer(Settings, store, null, Training.Record(uninterruptedProgress)).TrainAsync(Data, null, null, null, null, CancellationToken.None);
            var lastEpoch = uninterruptedProgress.Where(p => p.Epoch is not null).Max(p => p.Epoch!.Value);

            // Killed after the last but one epoch's checkpoint: the resumed run trains the last epoch, and must know the
            // earlier scores to stop there and to restore the best epoch's weights (from its checkpoint).
            var checkpoints = S3Uri.Parse("s3://bucket/ns/group/solutions/s/v1/checkpoints/");
            using var kill = new CancellationTokenSource();
            var stopped = new HrnnTrainer(Settings, store, checkpoints, (progress, _) =>
            {
                if (progress.Epoch == lastEpoch - 1)
                {
                    kill.Cancel();
                }

                return Task.CompletedTask;
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped.TrainAsync(Data, null, null, null, null, kill.Token));

            var resumedProgress = new List<JobProgress>();
            using var resumed = await new HrnnTrainer(Settings, store, checkpoints, Training.Record(resumedProgress)).TrainAsync(Data, null, null, null, null, CancellationToken.None);

            Assert.Equal([lastEpoch], resumedProgress.Where(p => p.Epoch is not null).Select(p => p.Epoch!.Value));
            Assert.Equal(uninterruptedProgress[^1].Message, resumedProgress[^1].Message);
            AssertSameWeights(uninterrupted, resumed);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void SeenItemsLeaveTheSoftmax_OnlyWhereUsersNeverRepeatItems()
    {
        // Rating-like: every user has each item once.
        var ratings = UserSequences.Build(Enumerable.Range(0, 50).SelectMany(u => Enumerable.Range(0, 20).Select(t => new Interaction($"u{u}", $"i{(u + t) % 40}", t))));
        Assert.Equal(1.0 / (1_000 + 2), HrnnTrainer.RepeatShare(ratings));

        // TasteData's users walk chains around their genre and come back to items they had.
        Assert.Null(HrnnTrainer.RepeatShare(Data));
    }

    private static void AssertSameWeights(HrnnNetwork expected, HrnnNetwork actual)
    {
        var pairs = expected.parameters().Zip(actual.parameters()).ToList();
        Assert.NotEmpty(pairs);
        foreach (var (a, b) in pairs)
        {
            using var difference = (a - b).abs().max();
            Assert.True(difference.item<float>() < 1e-5f, $"a parameter differs by {difference.item<float>()}");
        }
    }

    [GeneratedRegex(@"^stopped after epoch (?<last>\d+): kept epoch (?<best>\d+)'s weights")]
    private static partial Regex StopMessage();
}
