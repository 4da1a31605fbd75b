using Personalize.Api;
using Personalize.Jobs;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Reports;
using Personalize.Trainer.Training;
using Xunit.Abstractions;

namespace Personalize.Trainer.Tests;

/// <summary>
/// aws-hrnn-metadata keeps its metadata features only where they earn their place: where an item's genre predicts the
/// next item they are kept and beat plain HRNN on held-out users; where the genres are noise they are dropped, and the
/// model is the plain one.
/// </summary>
[Collection(SeededTrainingCollection.Name)]
public sealed class MetadataGateTests(ITestOutputHelper output)
{
    private const int Genres = 400;
    private const int ItemsPerGenre = 10;
    private const string Ndcg10 = "normalized_discounted_cumulative_gain_at_10";

    // The planted data is small (about 10 steps an epoch): the fast test settings with enough epochs for HRNN to converge.
    // The planted signal is the next item, so one target horizon: users here never repeat items, and the default
    // horizon would train each model twice to choose between the next item and the items ahead.
    private static readonly HrnnSettings Settings = Training.Fast with { Epochs = 20, TargetHorizon = 1 };

    [Fact]
    public async Task GenresThatPredictTheNextItem_AreKept_AndBeatPlainHrnnOnHeldOutUsers()
    {
        var data = Planted(genreOf: item => item / ItemsPerGenre);
        var withMetadata = await Training.TrainAsync(Recipes.HrnnMetadata, data, settings: Settings);
        var plain = await Training.TrainAsync(Recipes.Hrnn, data, settings: Settings);

        var gate = withMetadata.Artifact.Manifest.MetadataGate;
        Assert.NotNull(gate);
        output.WriteLine($"{gate.Reason}; held-out NDCG@10 {withMetadata.Metrics[Ndcg10]:0.0000}, plain HRNN {plain.Metrics[Ndcg10]:0.0000}");
        Assert.True(gate.Used, gate.Reason);
        Assert.True(gate.NdcgAt10WithMetadata > gate.NdcgAt10WithoutMetadata, gate.Reason);
        Assert.Contains("kept", gate.Reason, StringComparison.Ordinal);
        Assert.True(
            withMetadata.Metrics[Ndcg10] > plain.Metrics[Ndcg10] * 1.2,
            $"held-out NDCG@10 with genres {withMetadata.Metrics[Ndcg10]:0.000}, plain HRNN {plain.Metrics[Ndcg10]:0.000}");
    }

    [Fact]
    public async Task RandomGenres_AreDropped_AndTheModelIsNeverWorseThanPlainHrnn()
    {
        var random = new Random(3);
        var noise = Enumerable.Range(0, Genres * ItemsPerGenre).Select(_ => random.Next(Genres)).ToArray();
        var data = Planted(genreOf: item => noise[item]);
        var progress = new List<JobProgress>();
        var withMetadata = await Training.TrainAsync(Recipes.HrnnMetadata, data, settings: Settings, progress: (p, _) => { progress.Add(p); return Task.CompletedTask; });
        var plain = await Training.TrainAsync(Recipes.Hrnn, data, settings: Settings);

        var gate = withMetadata.Artifact.Manifest.MetadataGate;
        Assert.NotNull(gate);
        output.WriteLine($"{gate.Reason}; held-out NDCG@10 {withMetadata.Metrics[Ndcg10]:0.0000}, plain HRNN {plain.Metrics[Ndcg10]:0.0000}");
        Assert.False(gate.Used, gate.Reason);
        Assert.Contains(progress, p => p.Stage == RecipeTrainer.MetadataGateStage && p.Message!.Contains("metadata features dropped", StringComparison.Ordinal));
        Assert.True(
            withMetadata.Metrics[Ndcg10] >= plain.Metrics[Ndcg10],
            $"held-out NDCG@10 with random genres {withMetadata.Metrics[Ndcg10]:0.0000}, plain HRNN {plain.Metrics[Ndcg10]:0.0000}");

        // The comparison trainings report under their own stage: the report's loss curve is the served model's alone.
        // Validation may stop it before Settings.Epochs; each epoch it trained is reported once.
        var trained = progress.Where(p => p.Stage == "train" && p.Epoch is not null).Select(p => p.Epoch!.Value).ToList();
        Assert.Equal(Enumerable.Range(1, trained.Count), trained);

        // The training report says it too.
        var collector = new TrainingReportCollector(Training.Ignore);
        foreach (var p in progress)
        {
            await collector.ReportAsync(p, CancellationToken.None);
        }

        var outcome = new SolutionOutcome(withMetadata, Recipes.HrnnMetadata, withMetadata.Artifact.Manifest.HyperParameters, []);
        var page = ReportPage.Render(await collector.BuildAsync(new JobSpec(), new TrainJobSpec(), data, outcome, 1, CancellationToken.None));
        Assert.Contains(System.Net.WebUtility.HtmlEncode(gate.Reason), page, StringComparison.Ordinal);
    }

    /// <summary>
    /// 4,000 items in 400 latent groups of 10; each user's next item is any item of the group after the current one's,
    /// so an id (seen two or three times) says little about where the user goes next, and a GENRE naming the group
    /// (seen 25 times) says it.
    /// <paramref name="genreOf"/> maps an item to the GENRE its metadata gives.
    /// </summary>
    private static TrainingData Planted(Func<int, int> genreOf)
    {
        var random = new Random(11);
        var interactions = new List<Interaction>();
        for (var u = 0; u < 1000; u++)
        {
            var group = random.Next(Genres);
            for (var t = 0; t < 10; t++)
            {
                interactions.Add(new Interaction($"u{u}", $"i{(group * ItemsPerGenre) + random.Next(ItemsPerGenre)}", 1_700_000_000 + (t * 60)));
                group = (group + 1) % Genres;
            }
        }

        return new TrainingData
        {
            Interactions = interactions,
            ItemTokens = Enumerable.Range(0, Genres * ItemsPerGenre).ToDictionary(i => $"i{i}", i => (IReadOnlyList<string>)[$"GENRE=g{genreOf(i)}"]),
        };
    }
}
