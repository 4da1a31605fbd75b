using System.Globalization;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Evaluation;
using Personalize.Models.Recipes;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;

namespace Personalize.Trainer.Training;

/// <summary>A trained model ready to save: the artifact to serve and its offline metrics (also in its manifest).</summary>
internal sealed record TrainedModel(ModelArtifact Artifact, Dictionary<string, double> Metrics);

/// <summary>
/// Trains one recipe the way Personalize does: percentile filters, the 90/10 user split, training on the 90%,
/// metrics on the held-out users through the served scorer, then the artifact to serve, whose histories and
/// popularity cover every user.
/// </summary>
internal sealed class RecipeTrainer(IObjectStore store, S3Uri? checkpoints, Func<JobProgress, CancellationToken, Task> report, HrnnSettings hrnnTemplate)
{
    public async Task<TrainedModel> TrainAsync(Recipe recipe, IReadOnlyDictionary<string, string> hyperParameters, TrainingData data, CancellationToken cancellationToken)
    {
        var coldStart = recipe.Name == Recipes.HrnnColdstart;
        var all = UserSequences.Build(data.Interactions, coldStart ? data.CatalogueItems : null);
        all = HistoryLengthFilter.FilterUsers(all, Number(hyperParameters, "min_user_history_length_percentile", 0), Number(hyperParameters, "max_user_history_length_percentile", 1));
        if (recipe.Name == Recipes.Sims)
        {
            all = HistoryLengthFilter.FilterItems(all, Number(hyperParameters, "min_item_interaction_count_percentile", 0), Number(hyperParameters, "max_item_interaction_count_percentile", 1));
        }

        if (all.Interactions == 0)
        {
            throw new InvalidDataException($"No interactions are left for {recipe.Name} after eventType, eventValueThreshold and history-length filtering.");
        }

        var split = EvaluationSplit.Create(all, hrnnTemplate.Seed);
        await report(new JobProgress { Time = DateTimeOffset.UtcNow, Stage = "train", Message = $"{recipe.Name}: {all.Interactions} interactions, {all.UserIds.Count} users, {all.ItemIds.Count} items, {split.Test.Count} held-out users" }, cancellationToken);

        Func<UserSequences, ModelArtifact> build;
        switch (recipe.Name)
        {
            case Recipes.PopularityCount:
                build = sequences => PopularityTrainer.Train(Manifest(recipe, hyperParameters), sequences);
                break;
            case Recipes.Sims:
                var discount = Number(hyperParameters, "popularity_discount_factor", 0.5);
                var minCount = (int)Number(hyperParameters, "min_cointeraction_count", 3);
                build = sequences => SimsTrainer.Train(Manifest(recipe, hyperParameters), sequences, discount, minCount, cancellationToken);
                break;
            default:
                build = await TrainHrnnAsync(recipe, hyperParameters, data, all, split, coldStart, cancellationToken);
                break;
        }

        var evaluated = build(split.Training);
        var metrics = Evaluator.Evaluate(RecommenderFactory.Create(evaluated), all, split.Test);
        var served = build(all);
        served.Manifest.Metrics = metrics;
        return new TrainedModel(served, metrics);
    }

    /// <summary>Trains the network once, on the training users, and returns how to package it for any set of users.</summary>
    private async Task<Func<UserSequences, ModelArtifact>> TrainHrnnAsync(
        Recipe recipe, IReadOnlyDictionary<string, string> hyperParameters, TrainingData data, UserSequences all, EvaluationSplit split, bool coldStart, CancellationToken cancellationToken)
    {
        var metadata = recipe.Name is Recipes.HrnnMetadata or Recipes.HrnnColdstart;
        var fromRecipe = HrnnSettings.FromHyperParameters(hyperParameters);
        var settings = hrnnTemplate with
        {
            HiddenDimension = fromRecipe.HiddenDimension,
            Bptt = fromRecipe.Bptt,
            RecencyMask = fromRecipe.RecencyMask,
            ItemMetadata = metadata && data.ItemTokens.Count > 0,
            UserMetadata = metadata && data.UserTokens.Count > 0,
            IdDropout = coldStart ? 0.3 : 0,
        };
        var itemTokens = settings.ItemMetadata ? TokenMatrix.Build(all.ItemIds, data.ItemTokens) : null;
        var trainer = new HrnnTrainer(settings, store, checkpoints?.AsPrefix().Append($"{recipe.Name}/"), report);
        var network = await trainer.TrainAsync(split.Training, itemTokens, settings.UserMetadata ? TokenMatrix.Build(split.Training.UserIds, data.UserTokens) : null, cancellationToken);
        var cold = coldStart ? ColdItems.Find(all, data, hyperParameters, DateTimeOffset.UtcNow) : null;
        return sequences =>
        {
            var userTokens = settings.UserMetadata ? TokenMatrix.Build(sequences.UserIds, data.UserTokens) : null;
            var manifest = Manifest(recipe, hyperParameters);
            manifest.Scorer = ScorerKinds.Hrnn;
            return ArtifactBuilder.Build(manifest, sequences, HrnnExport.Tensors(network, itemTokens, userTokens, cold));
        };
    }

    private static ModelManifest Manifest(Recipe recipe, IReadOnlyDictionary<string, string> hyperParameters) => new()
    {
        Recipe = recipe.Name,
        RecipeType = recipe.RecipeType,
        HyperParameters = new Dictionary<string, string>(hyperParameters),
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private static double Number(IReadOnlyDictionary<string, string> values, string name, double fallback) =>
        values.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
