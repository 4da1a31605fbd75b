using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Evaluation;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

[Collection(SeededTrainingCollection.Name)]
public sealed class TargetHorizonTests
{
    // The window fixed at bptt (16): these tests compare horizons, and HistoryWindowTests the window's choice.
    private static readonly HrnnSettings Settings = Training.Fast with { Epochs = 6, MinEpochs = 6, Window = 16 };

    [Fact]
    public async Task OnRatingData_LearningTheItemsAhead_RaisesNdcgOfTheHeldOutItems_AndValidationKeepsIt()
    {
        var data = RatingData.Create();
        var progress = new List<JobProgress>();

        var nextItem = SeenExcludedNdcg10(await Training.TrainAsync(Recipes.Hrnn, data, settings: Settings with { TargetHorizon = 1, Dropout = 0 }));
        var ahead = SeenExcludedNdcg10(await Training.TrainAsync(Recipes.Hrnn, data, settings: Settings with { TargetHorizon = 16, Dropout = 0 }, progress: Training.Record(progress)));

        Assert.True(ahead > nextItem * 1.1, $"NDCG@10 with 16 items ahead {ahead:F4}, with the next item only {nextItem:F4}");
        var choice = Assert.Single(progress, p => p.Stage == HrnnTrainer.TargetHorizonStage && p.Epoch is null && p.Message!.StartsWith("kept", StringComparison.Ordinal));
        Assert.StartsWith("kept the model trained on the next 16 items", choice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnSequentialDataWithoutRepeats_ValidationKeepsTheNextItemModel()
    {
        // Each user walks through groups in order, one item of each, never twice: the next item follows from the last.
        var random = new Random(11);
        var interactions = new List<Interaction>();
        for (var u = 0; u < 600; u++)
        {
            var group = random.Next(100);
            for (var t = 0; t < 20; t++)
            {
                interactions.Add(new Interaction($"u{u}", $"i{((group + t) % 100 * 5) + random.Next(5)}", 1_700_000_000 + (t * 60)));
            }
        }

        var data = new TrainingData { Interactions = interactions };
        var progress = new List<JobProgress>();
        var nextItem = await Training.TrainAsync(Recipes.Hrnn, data, settings: Settings with { TargetHorizon = 1 });
        var chosen = await Training.TrainAsync(Recipes.Hrnn, data, settings: Settings with { TargetHorizon = 16 }, progress: Training.Record(progress));

        var choice = Assert.Single(progress, p => p.Stage == HrnnTrainer.TargetHorizonStage && p.Epoch is null && p.Message!.StartsWith("kept", StringComparison.Ordinal));
        Assert.StartsWith("kept the model trained on the next item only", choice.Message, StringComparison.Ordinal);
        Assert.Equal(nextItem.Metrics[OfflineMetrics.NdcgName(10)], chosen.Metrics[OfflineMetrics.NdcgName(10)], 6);
    }

    [Fact]
    public async Task OnRatingData_Dropout_RaisesNdcgOfTheHeldOutItems()
    {
        var data = RatingData.Create();

        // Trained long enough to overfit, as small rating data does after a few epochs.
        var longer = Settings with { Epochs = 25, MinEpochs = 25 };
        var kept = SeenExcludedNdcg10(await Training.TrainAsync(Recipes.Hrnn, data, settings: longer with { Dropout = 0 }));
        var dropped = SeenExcludedNdcg10(await Training.TrainAsync(Recipes.Hrnn, data, settings: longer with { Dropout = 0.3 }));

        Assert.True(dropped > kept * 1.1, $"NDCG@10 with dropout {dropped:F4}, without {kept:F4}");
    }

    [Fact]
    public async Task WhereUsersRepeatItems_EveryPositionLearnsItsNextItemOnly_WithoutDropout()
    {
        // TasteData's users come back to items they had: neither the horizon nor dropout may change a single weight.
        var data = UserSequences.Build(TasteData.Create(users: 100).Interactions);
        Assert.Null(HrnnTrainer.RepeatShare(data));
        var fast = Settings with { Epochs = 2, MinEpochs = 2, HiddenDimension = 16, Bptt = 8 };
        using var nextItem = await new HrnnTrainer(fast with { TargetHorizon = 1, Dropout = 0 }, new FolderObjectStore(Path.GetTempPath()), null, Training.Ignore).TrainAsync(data, null, null, null, null, CancellationToken.None);
        using var ahead = await new HrnnTrainer(fast with { TargetHorizon = 16, Dropout = 0.3 }, new FolderObjectStore(Path.GetTempPath()), null, Training.Ignore).TrainAsync(data, null, null, null, null, CancellationToken.None);

        foreach (var (a, b) in nextItem.parameters().Zip(ahead.parameters()))
        {
            using var difference = (a - b).abs().max();
            Assert.Equal(0f, difference.item<float>());
        }
    }

    [Fact]
    public async Task ColdStartNetworks_OnRatingData_LearnTheItemsAheadToo_AndValidationKeepsThem()
    {
        // Item ids dropped 30% of the time (aws-user-personalization's and aws-hrnn-coldstart's network) change nothing
        // of what is asked: the bag of items ahead.
        const string recipe = Recipes.UserPersonalization;
        var data = RatingData.Create();
        var progress = new List<JobProgress>();

        var nextItem = SeenExcludedNdcg10(await Training.TrainAsync(recipe, data, settings: Settings with { TargetHorizon = 1, Dropout = 0 }));
        var ahead = SeenExcludedNdcg10(await Training.TrainAsync(recipe, data, settings: Settings, progress: Training.Record(progress)));

        Assert.True(ahead > nextItem * 1.05, $"NDCG@10 with the defaults (16 items ahead, dropout) {ahead:F4}, with the next item only and no dropout {nextItem:F4}");
        var choice = Assert.Single(progress, p => p.Stage == HrnnTrainer.TargetHorizonStage && p.Epoch is null && p.Message!.StartsWith("kept", StringComparison.Ordinal));
        Assert.StartsWith("kept the model trained on the next 16 items", choice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnLargeCatalogues_TheSampledSoftmaxTrainsOnTheItemsAheadToo()
    {
        // More items than a full softmax takes: each position's targets are scored against one shared negative sample.
        var random = new Random(5);
        var items = HrnnSettings.FullSoftmaxMaxItems + 1000;
        var data = UserSequences.Build(Enumerable.Range(0, 900).SelectMany(u =>
            Enumerable.Range(0, 30).Select(t => new Interaction($"u{u}", $"i{((u * 331) + (t * 97) + random.Next(5)) % items}", 1_700_000_000 + (t * 60)))).DistinctBy(i => (i.UserId, i.ItemId)));
        Assert.NotNull(HrnnTrainer.RepeatShare(data));
        Assert.True(data.ItemIds.Count > HrnnSettings.FullSoftmaxMaxItems, $"{data.ItemIds.Count} items");
        var progress = new List<JobProgress>();
        var sampled = Settings with { Epochs = 2, MinEpochs = 2, HiddenDimension = 8, Bptt = 8, SampledNegatives = 64 };
        using var network = await new HrnnTrainer(sampled, new FolderObjectStore(Path.GetTempPath()), null, Training.Record(progress)).TrainAsync(data, null, null, null, null, CancellationToken.None);

        var losses = progress.Where(p => p.Stage == "train" && p.Loss is not null).Select(p => p.Loss!.Value).ToList();
        Assert.Equal(2, losses.Count);
        Assert.All(losses, loss => Assert.True(double.IsFinite(loss) && loss > 0, $"loss {loss}"));
        Assert.True(losses[1] < losses[0], $"losses {string.Join(", ", losses)}");
        Assert.Contains(progress, p => p.Stage == HrnnTrainer.TargetHorizonStage && p.Message!.StartsWith("kept the model", StringComparison.Ordinal));
    }

    [Fact]
    public void TheHorizonAndDropoutArePartOfTheCheckpointFingerprint()
    {
        Assert.NotEqual((Settings with { TargetHorizon = 1 }).Fingerprint(10, 10, 100), (Settings with { TargetHorizon = 16 }).Fingerprint(10, 10, 100));
        Assert.NotEqual((Settings with { Dropout = 0 }).Fingerprint(10, 10, 100), (Settings with { Dropout = 0.3 }).Fingerprint(10, 10, 100));
    }

    /// <summary>NDCG@10 on the held-out test users with each user's items filtered out, as a campaign's EXCLUDE filter does.</summary>
    private static double SeenExcludedNdcg10(TrainedModel trained) => trained.SeenExcludedMetrics[OfflineMetrics.NdcgName(10)];
}
