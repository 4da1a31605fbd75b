using Personalize.Api;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Evaluation;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// The whole-history user vector: the GRU reads only the last bptt items, so a taste the user showed only before them
/// reaches the served state through the history vector alone, which serving computes as training did.
/// </summary>
[Collection(SeededTrainingCollection.Name)]
public sealed class HistoryVectorTests
{
    private const int Bptt = 8;
    private static readonly HrnnSettings Settings = Training.Fast with { Epochs = 6, MinEpochs = 6, Dropout = 0 };
    private static readonly Dictionary<string, string> Hyper = new() { ["hidden_dimension"] = "32", ["bptt"] = $"{Bptt}" };

    [Fact]
    public async Task WhenTheTasteLiesBeforeTheBpttWindow_TheHistoryVectorRaisesNdcgOfTheHeldOutItems()
    {
        var data = EarlyTasteData();

        var without = await Training.TrainAsync(Recipes.Hrnn, data, overrides: Hyper, settings: Settings with { HistoryVector = false });
        var with = await Training.TrainAsync(Recipes.Hrnn, data, overrides: Hyper, settings: Settings);

        Assert.False(without.Artifact.Tensors.ContainsKey(TensorNames.ItemHistory));
        Assert.True(with.Artifact.Tensors.ContainsKey(TensorNames.ItemHistory));
        var (gruOnly, whole) = (SeenExcludedNdcg10(without, data), SeenExcludedNdcg10(with, data));
        Assert.True(whole > gruOnly * 1.5, $"NDCG@10 with the history vector {whole:F4}, without {gruOnly:F4}");
    }

    [Fact]
    public async Task TheCachedServedState_AnswersAsTheEvaluatedModel_AsEventsArrive()
    {
        var data = EarlyTasteData();
        var trained = await Training.TrainAsync(Recipes.Hrnn, data, overrides: Hyper, settings: Settings);
        Assert.True(trained.Artifact.Tensors.ContainsKey(TensorNames.ItemHistory));

        // The runtime's scorer: a user state cache advanced event by event; evaluation recomputes from the events.
        var served = new HrnnRecommender(trained.Artifact, new ScoringSettings { Quantize = false, Batch = false, UserStateCacheSize = 100 }, ScoringMethods.Exact);
        var evaluated = new HrnnRecommender(trained.Artifact, new ScoringSettings { Quantize = false, Batch = false, UserStateCacheSize = 0 }, ScoringMethods.Exact);
        var random = new Random(3);
        var items = trained.Artifact.Vocabulary.Items;
        foreach (var user in Enumerable.Range(0, 10).Select(u => $"u{u}"))
        {
            var events = new List<string>();
            // Past the stored history's length, so the history window slides as well as lengthens.
            for (var e = 0; e < ArtifactBuilder.StoredHistoryLength + 10; e++)
            {
                var request = new RecommendationRequest { UserId = user, RecentItems = [.. events], NumResults = Evaluator.NumResults };
                var history = served.TrainedHistory(user).Concat(events).ToList();
                Assert.Equal(Evaluator.Recommend(evaluated, history), served.Recommend(request).Select(r => r.ItemId).ToList());
                Assert.Equal(evaluated.Recommend(new RecommendationRequest { RecentItems = history, NumResults = Evaluator.NumResults }), served.Recommend(request));
                events.Add(items[random.Next(items.Count)]);
            }
        }
    }

    [Fact]
    public void TheHistoryVectorIsPartOfTheCheckpointFingerprint() =>
        Assert.NotEqual((Settings with { HistoryVector = false }).Fingerprint(10, 10, 100), Settings.Fingerprint(10, 10, 100));

    /// <summary>
    /// Rating-shaped (each user has an item once), planted: each user likes one of 12 genres of 30 items, rates 8 of
    /// them first, then 40 of the 60 popular items that everyone rates in random order, then 6 more of the genre. A
    /// test user's newest 10% are those last genre items, and the GRU's last bptt items are all popular ones: only the
    /// user's early items tell the genre.
    /// </summary>
    private static TrainingData EarlyTasteData()
    {
        const int genres = 12;
        var random = new Random(7);
        var interactions = new List<Interaction>();
        for (var u = 0; u < 600; u++)
        {
            var genre = u % genres;
            var liked = Enumerable.Range(0, 30).OrderBy(_ => random.Next()).Take(14).Select(i => $"g{genre}-{i}").ToList();
            var popular = Enumerable.Range(0, 60).OrderBy(_ => random.Next()).Take(40).Select(i => $"p{i}");
            var sequence = liked.Take(8).Concat(popular).Concat(liked.Skip(8)).ToList();
            interactions.AddRange(sequence.Select((item, t) => new Interaction($"u{u}", item, 1_700_000_000 + (t * 60))));
        }

        return new TrainingData { Interactions = interactions };
    }

    /// <summary>NDCG@10 of the served model on its held-out test users, with each user's items filtered out as a campaign's EXCLUDE filter does.</summary>
    private static double SeenExcludedNdcg10(TrainedModel trained, TrainingData data)
    {
        var recipe = Recipes.Find(Recipes.Hrnn)!;
        var all = RecipeTrainer.FilteredUsers(recipe, recipe.Resolve(Hyper, null), UserSequences.Build(data.Interactions));
        var (split, _) = RecipeTrainer.Split(all, Settings.Seed, validate: false);
        var recommender = RecommenderFactory.Create(trained.Artifact, scoringMethod: ScoringMethods.Exact);
        var metrics = new MetricsAccumulator();
        foreach (var user in split.Test)
        {
            var input = user.Input.Select(row => all.ItemIds[row]).ToList();
            var seen = input.ToHashSet(StringComparer.Ordinal);
            var request = new RecommendationRequest { RecentItems = input, NumResults = Evaluator.NumResults, IsCandidate = item => !seen.Contains(item) };
            metrics.Add(recommender.Recommend(request).Select(r => r.ItemId).ToList(), user.Truth.Select(row => all.ItemIds[row]).ToHashSet(StringComparer.Ordinal));
        }

        return metrics.Result(all.ItemIds.Count)[OfflineMetrics.NdcgName(10)];
    }
}
