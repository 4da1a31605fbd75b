using Personalize.Api;
using Personalize.Data.Datasets;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Models.Recipes;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// Events that carry a recommendationId and no impression train aws-user-personalization on the list that
/// recommendation served (what the runtime keeps in the served-lists log), in FULL and UPDATE trainings alike.
/// </summary>
public sealed class ImplicitImpressionsTests
{
    private const string Ignored = UserPersonalizationTests.Ignored;

    [Fact]
    public async Task AnItemEveryRecommendationShowed_AndNobodyChose_RanksLowerThanWhenTheEventsCarryNoRecommendationId()
    {
        var taste = TasteData.Create(users: 300);
        await using var store = new TempStore();
        // Each genre-0 choice of another item was made from a recommendation that showed the ignored item beside it.
        var shown = await store.WriteAsync("shown", taste.Interactions, i => TasteData.Genre(i.ItemId) == "g0" && i.ItemId != Ignored);
        var plain = await store.WriteAsync("plain", taste.Interactions, _ => false);

        var withIds = await TrainingDataLoader.LoadAsync(store.Store, shown, null, null, CancellationToken.None);
        var withoutIds = await TrainingDataLoader.LoadAsync(store.Store, plain, null, null, CancellationToken.None);
        Assert.Equal(taste.Interactions.Count(i => TasteData.Genre(i.ItemId) == "g0" && i.ItemId != Ignored), withIds.ImplicitImpressions);
        Assert.Empty(withoutIds.Impressions);

        var trained = RecommenderFactory.Create((await Training.TrainAsync(Recipes.UserPersonalization, WithMetadata(withIds, taste))).Artifact);
        var untrained = RecommenderFactory.Create((await Training.TrainAsync(Recipes.UserPersonalization, WithMetadata(withoutIds, taste))).Artifact);

        var ranked = await UserPersonalizationTests.MeanRankAsync(trained, Ignored);
        var unranked = await UserPersonalizationTests.MeanRankAsync(untrained, Ignored);
        Assert.True(ranked > unranked + 2, $"mean rank with recommendationIds {ranked:F1}, without {unranked:F1}");
    }

    [Fact]
    public async Task AnUpdate_TrainsOnTheImpressionsOfItsNewEvents_RecommendationIdsIncluded()
    {
        var taste = TasteData.Create(users: 100);
        var full = await Training.TrainAsync(Recipes.UserPersonalization, new TrainingData { Interactions = taste.Interactions, ItemTokens = taste.ItemTokens });
        var later = taste.Interactions.Max(i => i.Timestamp) + 3600;
        var fresh = Enumerable.Range(0, 100).Select(u => new Models.Training.Interaction($"u{u}", $"g{u % TasteData.Genres}-3", later + u)).ToList();
        await using var store = new TempStore();
        var group = await store.WriteAsync("update", [.. taste.Interactions, .. fresh], i => i.Timestamp >= later);
        var data = await TrainingDataLoader.LoadAsync(store.Store, group, null, null, CancellationToken.None);
        Assert.Equal(100, data.ImplicitImpressions);

        var checkpoints = StoreLayout.Checkpoints(group, "solution", "update");
        var trainer = new RecipeTrainer(store.Store, checkpoints, Training.Ignore, Training.Fast);
        await trainer.UpdateAsync(full.Artifact, WithMetadata(data, taste), CancellationToken.None);

        // The network's checkpoints are named by the impression pairs it trained on (one per new event of a training user).
        var folders = new List<string>();
        await foreach (var info in store.Store.ListAsync(checkpoints, CancellationToken.None))
        {
            folders.Add(info.Uri.Key);
        }

        Assert.Contains(folders, key => key.Contains("-update/hrnn-", StringComparison.Ordinal) && key.Contains("-impressions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnExplicitImpressionWins_AndIdsNotServedToTheUserAreCounted()
    {
        await using var store = new TempStore();
        var group = new StoreLayout("bucket").DatasetGroup("test", "explicit");
        var writer = new RealtimeRecordWriter(store.Store, group, "runtime-1");
        await writer.AppendAsync(ServedRecommendations.Log, [ServedRecommendations.Record("RID-1", "u1", ["i2", "i3", "i4"], DateTimeOffset.UtcNow)]);
        await writer.AppendAsync(DatasetTypes.Interactions,
        [
            Event("u1", "i2", 1, "RID-1", impression: "i2|i9"),
            Event("u1", "i3", 2, "RID-1"),
            Event("u2", "i3", 3, "RID-1"),
            Event("u1", "i4", 4, "RID-unknown"),
        ]);

        var data = await TrainingDataLoader.LoadAsync(store.Store, group, null, null, CancellationToken.None);

        Assert.Equal([("u1", "i2", "i2|i9"), ("u1", "i3", "i2|i3|i4")], data.Impressions.Select(i => (i.UserId, i.ItemId, string.Join('|', i.Items))).Order());
        Assert.Equal(1, data.ImplicitImpressions);
        Assert.Equal(2, data.UnresolvedRecommendationIds);
    }

    [Fact]
    public async Task ARetry_TrainsOnTheImpressionsTheStoppedRunRead_ThoughTheirListsExpiredSince()
    {
        await using var store = new TempStore();
        var group = await store.WriteAsync("retry", TasteData.Create(users: 20).Interactions, i => i.UserId == "u1");
        var read = await TrainingDataLoader.LoadAsync(store.Store, group, null, null, CancellationToken.None);
        var checkpoints = StoreLayout.Checkpoints(group, "solution", "v1");
        await TrainingSnapshot.WriteAsync(store.Store, checkpoints, read, CancellationToken.None);
        await foreach (var info in store.Store.ListAsync(StoreLayout.RealtimeData(group, ServedRecommendations.Log), CancellationToken.None))
        {
            await store.Store.DeleteAsync(info.Uri, CancellationToken.None);
        }

        var retried = await TrainingSnapshot.ReadAsync(store.Store, checkpoints, CancellationToken.None);

        Assert.NotEmpty(read.Impressions);
        Assert.Equal(read.Impressions.Select(i => (i.UserId, i.ItemId, string.Join('|', i.Items))), retried!.Impressions.Select(i => (i.UserId, i.ItemId, string.Join('|', i.Items))));
        Assert.Equal(read.ImplicitImpressions, retried.ImplicitImpressions);
    }

    private static TrainingData WithMetadata(TrainingData loaded, TrainingData taste) => new()
    {
        Interactions = loaded.Interactions,
        Impressions = loaded.Impressions,
        ImplicitImpressions = loaded.ImplicitImpressions,
        CatalogueItems = taste.CatalogueItems,
        ItemTokens = taste.ItemTokens,
        UserTokens = taste.UserTokens,
        ItemCreation = taste.ItemCreation,
    };

    private static Dictionary<string, object?> Event(string user, string item, long time, string? recommendationId, string? impression = null)
    {
        var fields = new Dictionary<string, object?>
        {
            [FieldNames.UserId] = user,
            [FieldNames.ItemId] = item,
            [FieldNames.Timestamp] = 1_700_000_000L + time,
            [FieldNames.EventType] = "click",
        };
        if (recommendationId is not null)
        {
            fields[FieldNames.RecommendationId] = recommendationId;
        }

        if (impression is not null)
        {
            fields[FieldNames.Impression] = impression;
        }

        return fields;
    }

    /// <summary>A folder store of the test's own, removed afterwards.</summary>
    private sealed class TempStore : IAsyncDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("trainer-implicit-").FullName;

        public TempStore() => Store = new FolderObjectStore(_root);

        public FolderObjectStore Store { get; }

        /// <summary>
        /// The interactions as PutEvents records of a dataset group; those <paramref name="fromRecommendation"/> picks
        /// carry a recommendationId whose served list (as the runtime keeps it) showed the ignored item and the chosen one.
        /// </summary>
        public async Task<S3Uri> WriteAsync(string name, IReadOnlyList<Models.Training.Interaction> interactions, Func<Models.Training.Interaction, bool> fromRecommendation)
        {
            var group = new StoreLayout("bucket").DatasetGroup("test", name);
            var writer = new RealtimeRecordWriter(Store, group, "runtime-1");
            var events = new List<IReadOnlyDictionary<string, object?>>();
            var served = new List<IReadOnlyDictionary<string, object?>>();
            foreach (var interaction in interactions)
            {
                string? recommendationId = null;
                if (fromRecommendation(interaction))
                {
                    recommendationId = $"RID-{served.Count}";
                    served.Add(ServedRecommendations.Record(recommendationId, interaction.UserId, [Ignored, interaction.ItemId], DateTimeOffset.UtcNow));
                }

                events.Add(Event(interaction.UserId, interaction.ItemId, interaction.Timestamp - 1_700_000_000L, recommendationId));
            }

            await writer.AppendAsync(DatasetTypes.Interactions, events);
            if (served.Count > 0)
            {
                await writer.AppendAsync(ServedRecommendations.Log, served);
            }

            return group;
        }

        public ValueTask DisposeAsync()
        {
            Directory.Delete(_root, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
