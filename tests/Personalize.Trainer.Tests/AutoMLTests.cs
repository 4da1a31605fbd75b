using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

public sealed class AutoMLTests
{
    [Fact]
    public async Task AutoML_KeepsTheCandidateWithTheBestMetric()
    {
        var recipes = new RecipeTrainer(new FolderObjectStore(Path.GetTempPath()), null, Training.Ignore, Training.Fast);
        var spec = new TrainJobSpec { PerformAutoML = true, AutoMLRecipes = [Recipes.PopularityCount, Recipes.Hrnn], AutoMLMetric = "normalized_discounted_cumulative_gain_at_10" };

        var outcome = await new SolutionTrainer(recipes, 42).TrainAsync(spec, TasteData.Create(users: 200), CancellationToken.None);

        Assert.Equal(Recipes.Hrnn, outcome.Recipe);
        Assert.Equal([Recipes.PopularityCount, Recipes.Hrnn], outcome.Candidates.Keys);
        Assert.True(outcome.Candidates[Recipes.Hrnn]["normalized_discounted_cumulative_gain_at_10"] > outcome.Candidates[Recipes.PopularityCount]["normalized_discounted_cumulative_gain_at_10"]);
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
