using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

public sealed class AutoMLTests
{
    [Fact]
    public async Task AutoML_SearchesEachCandidate_WithinTheTrainingBudget_AndKeepsTheBest()
    {
        var recipes = new RecipeTrainer(new FolderObjectStore(Path.GetTempPath()), null, Training.Ignore, Training.Fast);
        var spec = new TrainJobSpec
        {
            PerformAutoML = true,
            AutoMLRecipes = [Recipes.PopularityCount, Recipes.Hrnn],
            AutoMLMetric = "normalized_discounted_cumulative_gain_at_10",
            HpoConfigJson = """{"hpoResourceConfig":{"maxNumberOfTrainingJobs":"3"}}""",
        };

        var outcome = await new SolutionTrainer(recipes, 42).TrainAsync(spec, TasteData.Create(users: 200), CancellationToken.None);

        // Popularity has nothing to tune: its defaults are its one trial, and the rest of the budget goes to HRNN.
        Assert.Equal([Recipes.PopularityCount, Recipes.Hrnn, $"{Recipes.Hrnn}#1"], outcome.Candidates.Keys);
        Assert.Equal(Recipes.Hrnn, outcome.Recipe);
        Assert.True(outcome.Candidates[Recipes.Hrnn]["normalized_discounted_cumulative_gain_at_10"] > outcome.Candidates[Recipes.PopularityCount]["normalized_discounted_cumulative_gain_at_10"]);
    }

    [Fact]
    public async Task Search_ChoosesOnValidationUsers_AndReportsTheTestUsersMetrics()
    {
        var recipes = new RecipeTrainer(new FolderObjectStore(Path.GetTempPath()), null, Training.Ignore, Training.Fast);
        var spec = new TrainJobSpec
        {
            Recipe = Recipes.Sims,
            PerformHPO = true,
            HpoConfigJson = """{"hpoResourceConfig":{"maxNumberOfTrainingJobs":"4"},"algorithmHyperParameterRanges":{"continuousHyperParameterRanges":[{"name":"popularity_discount_factor","minValue":0,"maxValue":1}],"integerHyperParameterRanges":[{"name":"min_cointeraction_count","minValue":0,"maxValue":10}]}}""",
        };

        var outcome = await new SolutionTrainer(recipes, 3).TrainAsync(spec, TasteData.Create(users: 200), CancellationToken.None);

        const string Metric = "precision_at_25";
        var winner = outcome.Candidates.MaxBy(c => c.Value[SolutionTrainer.ValidationPrefix + Metric]);
        Assert.Equal(winner.Value[Metric], outcome.Best.Metrics[Metric]);
        Assert.NotEqual(winner.Value[SolutionTrainer.ValidationPrefix + Metric], outcome.Best.Metrics[Metric]);
        Assert.DoesNotContain(outcome.Best.Metrics.Keys, k => k.StartsWith(SolutionTrainer.ValidationPrefix, StringComparison.Ordinal));
        Assert.Equal(outcome.Best.Metrics, outcome.Best.Artifact.Manifest.Metrics);
    }

    [Fact]
    public async Task Hpo_TrainsTheBoundedNumberOfCandidates_AndRefusesUnknownParameters()
    {
        var recipes = new RecipeTrainer(new FolderObjectStore(Path.GetTempPath()), null, Training.Ignore, Training.Fast with { Epochs = 2 });
        var spec = new TrainJobSpec
        {
            Recipe = Recipes.Sims,
            PerformHPO = true,
            HpoConfigJson = """{"hpoResourceConfig":{"maxNumberOfTrainingJobs":"3"},"algorithmHyperParameterRanges":{"continuousHyperParameterRanges":[{"name":"popularity_discount_factor","minValue":0,"maxValue":1}],"integerHyperParameterRanges":[{"name":"min_cointeraction_count","minValue":1,"maxValue":5}]}}""",
        };
        var bad = new TrainJobSpec { Recipe = Recipes.Sims, PerformHPO = true, HpoConfigJson = """{"algorithmHyperParameterRanges":{"integerHyperParameterRanges":[{"name":"hidden_dimension","minValue":32,"maxValue":64}]}}""" };

        var outcome = await new SolutionTrainer(recipes, 7).TrainAsync(spec, TasteData.Create(users: 100), CancellationToken.None);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new SolutionTrainer(recipes, 7).TrainAsync(bad, TasteData.Create(users: 100), CancellationToken.None));

        Assert.Equal(3, outcome.Candidates.Count);
        Assert.Contains("hidden_dimension", error.Message, StringComparison.Ordinal);
    }
}
