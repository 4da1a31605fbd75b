using System.Globalization;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Evaluation;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.SimilarItems;

namespace Personalize.Trainer.Training;

/// <summary>
/// A trained model ready to save: the artifact to serve and its offline metrics on the held-out test users (also in its
/// manifest), and the same with each user's items filtered out (what a campaign with an EXCLUDE filter on interactions
/// serves, the usual protocol on rating data), with each test user's NDCG@10 there (for comparing models user by user);
/// when it is one of several a search compares, its metrics on the validation users it is chosen by.
/// </summary>
internal sealed record TrainedModel(
    ModelArtifact Artifact,
    Dictionary<string, double> Metrics,
    Dictionary<string, double> SeenExcludedMetrics,
    IReadOnlyDictionary<string, double> SeenExcludedNdcg10ByUser,
    Dictionary<string, double>? ValidationMetrics = null);

/// <summary>
/// Trains one recipe the way Personalize does: percentile filters, the 90/10 user split, training on the 90%,
/// metrics on the held-out users through the served scorer, then the artifact to serve. A search (HPO, AutoML) also
/// holds out validation users from the 90%, chooses by their metrics and reports the test users' metrics, so the
/// reported figures are not the ones the choice was made on. The filters shape training
/// only: the served artifact knows every user with history (those the percentile rule or the eventType filter left out
/// included), so no active user falls back to popular items.
/// </summary>
internal sealed class RecipeTrainer(IObjectStore store, S3Uri? checkpoints, Func<JobProgress, CancellationToken, Task> report, HrnnSettings hrnnTemplate)
{
    /// <summary>An UPDATE trains a quarter of a full training's epochs, on the users with new interactions only.</summary>
    public const int UpdateEpochDivisor = 4;

    /// <summary>The progress stage of the metadata gate's comparison trainings.</summary>
    public const string MetadataGateStage = "metadata-gate";

    public Task<TrainedModel> TrainAsync(Recipe recipe, IReadOnlyDictionary<string, string> hyperParameters, TrainingData data, bool validate, CancellationToken cancellationToken) =>
        RunAsync(recipe, hyperParameters, data, validate, null, cancellationToken);

    /// <summary>
    /// trainingMode UPDATE: the base version's recipe and hyper-parameters, its weights as the start, new items added
    /// after its vocabulary, and a short training on the training users with interactions newer than the base's
    /// newest; then metrics and the served artifact as for a full training.
    /// </summary>
    public Task<TrainedModel> UpdateAsync(ModelArtifact baseModel, TrainingData data, CancellationToken cancellationToken)
    {
        var recipe = Recipes.Find(baseModel.Manifest.Recipe) ?? throw new InvalidDataException($"trainingMode UPDATE: the base model's recipe \"{baseModel.Manifest.Recipe}\" is not one this trainer knows.");
        if (baseModel.Manifest.Scorer != ScorerKinds.Hrnn)
        {
            throw new InvalidDataException($"trainingMode UPDATE: {recipe.Name} has no incremental update (the HRNN recipes have); train a FULL version instead.");
        }

        return RunAsync(recipe, baseModel.Manifest.HyperParameters, data, validate: false, baseModel, cancellationToken);
    }

    private async Task<TrainedModel> RunAsync(
        Recipe recipe, IReadOnlyDictionary<string, string> hyperParameters, TrainingData data, bool validate, ModelArtifact? baseModel, CancellationToken cancellationToken)
    {
        // aws-user-personalization is HRNN-Coldstart's network (new items placed by metadata) trained on impressions too.
        var coldStart = recipe.Name is Recipes.HrnnColdstart or Recipes.UserPersonalization;
        var coldItems = coldStart || recipe.Name == Recipes.SimilarItems;
        var coded = UserSequences.Build(data.Interactions, coldItems ? data.CatalogueItems : null, baseModel?.Vocabulary.Items);
        var served = data.ExcludedInteractions.Count == 0 ? coded : coded.Recode(data.Interactions.Concat(data.ExcludedInteractions));
        var all = FilteredUsers(recipe, hyperParameters, coded);
        if (all.Interactions == 0)
        {
            throw new InvalidDataException($"No interactions are left for {recipe.Name} after eventType, eventValueThreshold and history-length filtering.");
        }

        var (split, validation) = Split(all, hrnnTemplate.Seed, validate);
        var fit = validation?.Training ?? split.Training;
        await report(new JobProgress { Time = DateTimeOffset.UtcNow, Stage = "train", Message = $"{recipe.Name}: {all.Interactions} interactions, {all.UserIds.Count} users, {all.ItemIds.Count} items, {split.Test.Count} held-out users{(validation is null ? string.Empty : $", {validation.Test.Count} validation users")}" }, cancellationToken);

        // (what the recipe learns from, the users the artifact serves)
        Func<UserSequences, UserSequences, ModelArtifact> build;
        switch (recipe.Name)
        {
            case Recipes.PopularityCount:
                build = (sequences, users) => PopularityTrainer.Train(Manifest(recipe, hyperParameters), sequences, users);
                break;
            case Recipes.Sims:
                var discount = Number(hyperParameters, "popularity_discount_factor", 0.5);
                var minCount = (int)Number(hyperParameters, "min_cointeraction_count", 3);
                build = (sequences, users) => SimsTrainer.Train(Manifest(recipe, hyperParameters), sequences, users, discount, minCount, cancellationToken);
                break;
            case Recipes.SimilarItems:
                build = await TrainSimilarItemsAsync(recipe, hyperParameters, data, all, fit, cancellationToken);
                break;
            case Recipes.TrendingNow:
                build = (sequences, users) => TrendingTrainer.Train(Manifest(recipe, hyperParameters), sequences, users, data.Interactions);
                break;
            default:
                build = baseModel is null
                    ? await TrainHrnnAsync(recipe, hyperParameters, data, all, fit, coldStart, cancellationToken)
                    : await UpdateHrnnAsync(recipe, hyperParameters, data, all, fit, baseModel, cancellationToken);
                break;
        }

        var evaluated = RecommenderFactory.Create(build(fit, Evaluator.KnownUsers(fit, split.Test.Concat(validation?.Test ?? []))));
        var catalogue = data.CatalogueSize();
        var metrics = await Evaluator.EvaluateAsync(evaluated, all, split.Test, catalogue, cancellationToken: cancellationToken);
        var seenExcluded = await Evaluator.ScoreAsync(evaluated, all, split.Test, excludeSeen: true, cancellationToken);
        var validationMetrics = validation is null ? null : await Evaluator.EvaluateAsync(evaluated, all, validation.Test, catalogue, cancellationToken: cancellationToken);
        var artifact = build(all, served);
        artifact.Manifest.Metrics = metrics;
        if (artifact.Manifest.Scorer == ScorerKinds.Hrnn)
        {
            artifact = await AttachAnnIndexAsync(artifact, split.Test, cancellationToken);
        }

        return new TrainedModel(artifact, metrics, seenExcluded.Result(catalogue), seenExcluded.Ndcg10ByUser, validationMetrics);
    }

    /// <summary>
    /// What a recipe trains and is evaluated on: the coded interactions less the users (and, for SIMS, items) its
    /// history-length percentiles leave out. The training bench's reference baselines use it to score the same users.
    /// </summary>
    internal static UserSequences FilteredUsers(Recipe recipe, IReadOnlyDictionary<string, string> hyperParameters, UserSequences coded)
    {
        var all = HistoryLengthFilter.FilterUsers(coded, Number(hyperParameters, "min_user_history_length_percentile", 0), Number(hyperParameters, "max_user_history_length_percentile", 1));
        return recipe.Name == Recipes.Sims
            ? HistoryLengthFilter.FilterItems(all, Number(hyperParameters, "min_item_interaction_count_percentile", 0), Number(hyperParameters, "max_item_interaction_count_percentile", 1))
            : all;
    }

    /// <summary>
    /// The held-out test users and, for a search, the validation users held out from the rest (seeded: the same users
    /// wherever the history filters left the same users, as for the HRNN recipes at their defaults and the bench's baselines).
    /// </summary>
    internal static (EvaluationSplit Split, EvaluationSplit? Validation) Split(UserSequences all, int seed, bool validate)
    {
        var split = EvaluationSplit.Create(all, seed);
        return (split, validate ? EvaluationSplit.Create(split.Training, seed + 1) : null);
    }

    /// <summary>
    /// The ANN index beside the model, gated on its recall@25 against exact scoring for the held-out users' served
    /// states (their whole history, as a request for them would score); the manifest records the outcome.
    /// </summary>
    private async Task<ModelArtifact> AttachAnnIndexAsync(ModelArtifact artifact, IReadOnlyList<TestUser> heldOut, CancellationToken cancellationToken)
    {
        var served = new HrnnRecommender(artifact, new ScoringSettings { Quantize = false, Batch = false, UserStateCacheSize = 0 }, ScoringMethods.Exact);
        var options = new AnnIndexOptions { Seed = hrnnTemplate.Seed };
        var states = heldOut.Take(options.MaxHeldOutUsers).Select(user => served.UserState(user.UserId)).ToList();
        artifact = AnnIndexBuilder.Attach(artifact, states, options);
        var index = artifact.Manifest.AnnIndex!;
        var outcome = index.Shipped
            ? $"ANN index: {index.Lists} lists, {index.Probes} read per query, recall@25 {index.RecallAt25:F3} against exact on {index.HeldOutUsers} held-out users"
            : $"ANN index not shipped: {index.Reason}";
        await report(new JobProgress { Time = DateTimeOffset.UtcNow, Stage = "train", Message = $"{artifact.Manifest.Recipe}: {outcome}" }, cancellationToken);
        return artifact;
    }

    /// <summary>Trains the network once, on the training users, and returns how to package it for any set of served users.</summary>
    private async Task<Func<UserSequences, UserSequences, ModelArtifact>> TrainHrnnAsync(
        Recipe recipe, IReadOnlyDictionary<string, string> hyperParameters, TrainingData data, UserSequences all, UserSequences fit, bool coldStart, CancellationToken cancellationToken)
    {
        var metadata = recipe.Name is Recipes.HrnnMetadata or Recipes.HrnnColdstart or Recipes.UserPersonalization;
        var fromRecipe = HrnnSettings.FromHyperParameters(hyperParameters);
        var settings = hrnnTemplate with
        {
            HiddenDimension = fromRecipe.HiddenDimension,
            Bptt = fromRecipe.Bptt,
            RecencyMask = fromRecipe.RecencyMask,
            ItemMetadata = metadata && data.ItemTokens.Count > 0,
            UserMetadata = metadata && data.UserTokens.Count > 0,
            ContextMetadata = metadata && ContextMatrix.Build(fit) is not null,
            IdDropout = coldStart ? 0.3 : 0,
        };

        // The coldstart recipes place new items by their metadata alone, so they always keep it; HRNN-metadata keeps
        // its metadata features only where they beat the same network without them on validation users.
        MetadataGateReport? gate = null;
        if (!coldStart && (settings.ItemMetadata || settings.UserMetadata || settings.ContextMetadata))
        {
            gate = await GateMetadataAsync(recipe, hyperParameters, settings, data, all, fit, cancellationToken);
            if (!gate.Used)
            {
                settings = settings with { ItemMetadata = false, UserMetadata = false, ContextMetadata = false };
            }
        }

        var trained = await TrainNetworkAsync(recipe, settings, data, all, fit, report, cancellationToken);
        return Package(recipe, hyperParameters, settings, data, all, trained, coldStart ? ColdItems.Find(all, data, hyperParameters, DateTimeOffset.UtcNow) : null, gate);
    }

    /// <summary>
    /// Holds validation users out of the training users, trains the network on the rest with and without the metadata
    /// features, and keeps them when their validation NDCG@10 gain exceeds one standard error of the per-user
    /// difference: a gain within noise does not earn the extra parameters, and without metadata the model is exactly
    /// the plain one, so metadata never costs against it beyond that noise.
    /// </summary>
    private async Task<MetadataGateReport> GateMetadataAsync(
        Recipe recipe, IReadOnlyDictionary<string, string> hyperParameters, HrnnSettings settings, TrainingData data, UserSequences all, UserSequences fit, CancellationToken cancellationToken)
    {
        var validation = EvaluationSplit.Create(fit, settings.Seed + 2);
        // Tagged with a stage of its own, so the training report's loss curves stay the served model's.
        Task Progress(JobProgress progress, CancellationToken token)
        {
            progress.Stage = MetadataGateStage;
            return report(progress, token);
        }

        await Progress(new JobProgress { Time = DateTimeOffset.UtcNow, Message = $"{recipe.Name}: training with and without metadata features on {validation.Training.UserIds.Count} users to compare on {validation.Test.Count} validation users" }, cancellationToken);
        var plainSettings = settings with { ItemMetadata = false, UserMetadata = false, ContextMetadata = false };
        async Task<double[]> ValidationNdcgAsync(HrnnSettings variant, (HrnnNetwork Network, List<string>?) trained)
        {
            // The comparison networks are done with once scored: their weights were copied into the artifact.
            using var network = trained.Network;
            var recommender = RecommenderFactory.Create(Package(recipe, hyperParameters, variant, data, all, trained, null, null)(validation.Training, Evaluator.KnownUsers(validation.Training, validation.Test)));
            var ndcg = new double[validation.Test.Count];
            for (var i = 0; i < ndcg.Length; i++)
            {
                var user = validation.Test[i];
                ndcg[i] = OfflineMetrics.Ndcg(
                    await Evaluator.RecommendAsync(recommender, user.UserId, user.Input.Select(row => all.ItemIds[row]).ToList(), user.Context, cancellationToken: cancellationToken),
                    user.Truth.Select(row => all.ItemIds[row]).ToHashSet(StringComparer.Ordinal),
                    10);
            }

            return ndcg;
        }

        var with = await ValidationNdcgAsync(settings, await TrainNetworkAsync(recipe, settings, data, all, validation.Training, Progress, cancellationToken));
        var without = await ValidationNdcgAsync(plainSettings, await TrainNetworkAsync(recipe, plainSettings, data, all, validation.Training, Progress, cancellationToken));
        var comparison = PairedGain.Of(with, without);
        var used = comparison.BeyondNoise;
        var figures = string.Create(CultureInfo.InvariantCulture, $"validation NDCG@10 {with.DefaultIfEmpty().Average():F4} with metadata, {without.DefaultIfEmpty().Average():F4} without, on {comparison.Users} users (standard error of the difference {comparison.StandardError:F4})");
        var reason = used ? $"metadata features kept: {figures}" : $"metadata features dropped, they did not beat the model without them by more than noise: {figures}";
        await Progress(new JobProgress { Time = DateTimeOffset.UtcNow, Message = $"{recipe.Name}: {reason}" }, cancellationToken);
        return new MetadataGateReport
        {
            Used = used,
            ValidationUsers = comparison.Users,
            NdcgAt10WithMetadata = with.DefaultIfEmpty().Average(),
            NdcgAt10WithoutMetadata = without.DefaultIfEmpty().Average(),
            StandardError = comparison.StandardError,
            Reason = reason,
        };
    }

    /// <summary>The network trained on <paramref name="fit"/>, and the context tokens its context table has rows for (null without).</summary>
    private async Task<(HrnnNetwork Network, List<string>? ContextTokens)> TrainNetworkAsync(
        Recipe recipe, HrnnSettings settings, TrainingData data, UserSequences all, UserSequences fit, Func<JobProgress, CancellationToken, Task> progress, CancellationToken cancellationToken)
    {
        var contexts = settings.ContextMetadata ? ContextMatrix.Build(fit) : null;
        var trainer = new HrnnTrainer(settings with { ContextMetadata = contexts is not null }, store, checkpoints?.AsPrefix().Append($"{recipe.Name}/"), progress);
        var network = await trainer.TrainAsync(
            fit,
            settings.ItemMetadata ? TokenMatrix.Build(all.ItemIds, data.ItemTokens) : null,
            settings.UserMetadata ? TokenMatrix.Build(fit.UserIds, data.UserTokens) : null,
            null,
            Impressions(recipe, fit, data),
            cancellationToken,
            contexts);
        return (network, contexts?.Tokens);
    }

    /// <summary>How to package a trained network for any set of served users.</summary>
    private static Func<UserSequences, UserSequences, ModelArtifact> Package(
        Recipe recipe, IReadOnlyDictionary<string, string> hyperParameters, HrnnSettings settings, TrainingData data, UserSequences all, (HrnnNetwork Network, List<string>? ContextTokens) trained,
        bool[]? cold, MetadataGateReport? gate)
    {
        var itemTokens = settings.ItemMetadata ? TokenMatrix.Build(all.ItemIds, data.ItemTokens) : null;
        var ages = ColdItems.AgeDays(all, data, DateTimeOffset.UtcNow);
        return (sequences, users) =>
        {
            var userTokens = settings.UserMetadata ? TokenMatrix.Build(users.UserIds, data.UserTokens) : null;
            var manifest = Manifest(recipe, hyperParameters);
            manifest.Scorer = ScorerKinds.Hrnn;
            manifest.HistoryWindow = trained.Network.Window;
            manifest.RepeatShare = trained.Network.RepeatShare;
            manifest.MetadataGate = gate;
            manifest.CoOccurrence = trained.Network.CoOccurrenceChoice;
            var tensors = HrnnExport.Tensors(trained.Network, itemTokens, userTokens, cold);
            tensors[TensorNames.ItemAgeDays] = ages;
            var artifact = ArtifactBuilder.Build(manifest, sequences, users, tensors);
            artifact.Vocabulary.ContextTokens = trained.ContextTokens ?? [];
            return artifact;
        };
    }

    /// <summary>Learns the item space once, on the training users; neighbour lists join it with each user set's co-occurrence.</summary>
    private async Task<Func<UserSequences, UserSequences, ModelArtifact>> TrainSimilarItemsAsync(
        Recipe recipe, IReadOnlyDictionary<string, string> hyperParameters, TrainingData data, UserSequences all, UserSequences fit, CancellationToken cancellationToken)
    {
        var idDimension = (int)Number(hyperParameters, "item_id_hidden_dim", 100);
        var metadataDimension = (int)Number(hyperParameters, "item_metadata_hidden_dim", 100);
        var itemTokens = data.ItemTokens.Count > 0 ? TokenMatrix.Build(all.ItemIds, data.ItemTokens) : null;
        await report(new JobProgress { Time = DateTimeOffset.UtcNow, Stage = "train", Message = $"{recipe.Name}: learning item vectors (id {idDimension}, metadata {(itemTokens is null ? "none" : metadataDimension)})" }, cancellationToken);
        var learned = await Task.Run(() => SimilarItemsTrainer.EmbeddingNeighbourLists(fit, itemTokens, idDimension, metadataDimension, hrnnTemplate, cancellationToken), cancellationToken);
        return (sequences, users) =>
        {
            var manifest = Manifest(recipe, hyperParameters);
            manifest.Scorer = ScorerKinds.Sims;
            var cooccurrence = SimsTrainer.Neighbours(sequences, SimilarItemsTrainer.PopularityDiscountFactor, SimilarItemsTrainer.MinCointeractionCount, cancellationToken);
            return ArtifactBuilder.Build(manifest, sequences, users, SimsTrainer.Tensors(SimilarItemsTrainer.Combine(cooccurrence, learned)));
        };
    }

    /// <summary>
    /// Continues the base model's network (a plain HRNN: metadata is already folded into its item vectors) on the
    /// training users that have interactions since the base was trained; users keep the base's metadata start states,
    /// and the model its context table.
    /// </summary>
    private async Task<Func<UserSequences, UserSequences, ModelArtifact>> UpdateHrnnAsync(
        Recipe recipe, IReadOnlyDictionary<string, string> hyperParameters, TrainingData data, UserSequences all, UserSequences fit, ModelArtifact baseModel, CancellationToken cancellationToken)
    {
        var fromRecipe = HrnnSettings.FromHyperParameters(hyperParameters);
        var settings = hrnnTemplate with
        {
            // The base's weights set the width (a pair of networks is served as one of both widths) and learned to read its window.
            HiddenDimension = baseModel.Tensor(TensorNames.GruWeightHh).Shape[^1],
            Bptt = fromRecipe.Bptt,
            RecencyMask = fromRecipe.RecencyMask,
            Epochs = Math.Max(1, hrnnTemplate.Epochs / UpdateEpochDivisor),
            Window = baseModel.Manifest.HistoryWindow ?? fromRecipe.Bptt,
        };
        var since = baseModel.Manifest.TrainingData.MaxTimestamp ?? long.MinValue;
        var active = data.Interactions.Where(i => i.Timestamp > since).Select(i => i.UserId).ToHashSet(StringComparer.Ordinal);
        var rows = Enumerable.Range(0, fit.UserIds.Count).Where(u => active.Contains(fit.UserIds[u])).ToList();
        var recent = fit.With(rows.Select(u => fit.UserIds[u]).ToList(), rows.Select(u => fit.Sequences[u]).ToArray());
        await report(new JobProgress { Time = DateTimeOffset.UtcNow, Stage = "train", Message = $"{recipe.Name} UPDATE: {all.ItemIds.Count - baseModel.Vocabulary.Items.Count} new items, {recent.UserIds.Count} training users with new interactions" }, cancellationToken);
        var trainer = new HrnnTrainer(settings, store, checkpoints?.AsPrefix().Append($"{recipe.Name}-update/"), report);
        var network = await trainer.TrainAsync(recent, null, null, HrnnWarmStart.From(baseModel, all.ItemIds, data.ItemTokens), Impressions(recipe, recent, data), cancellationToken);
        if (baseModel.Manifest.CoOccurrence is { Used: true } term)
        {
            // The base's choice of ridge and weight stands; the closed form is fitted again on every training user, new items included.
            network.CoOccurrence = CoOccurrenceTerm.Fit(fit, term.Lambda, term.Weight, hrnnTemplate.Seed, HrnnTrainer.PickDevice());
            var refitted = network.CoOccurrence;
            network.CoOccurrenceChoice = term with
            {
                Items = refitted.Items,
                PairShare = refitted.PairShare,
                Reason = FormattableString.Invariant(
                    $"co-occurrence term fitted again for this UPDATE with the base's EASE λ {term.Lambda} and weight {term.Weight}, {refitted.Coverage}; the base's choice: {term.Reason}"),
            };
        }

        var baseStates = baseModel.Tensors.GetValueOrDefault(TensorNames.UserInitialState)?.RequireFloats(TensorNames.UserInitialState);
        var baseUsers = baseModel.Vocabulary.Users.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row, StringComparer.Ordinal);
        var ages = ColdItems.AgeDays(all, data, DateTimeOffset.UtcNow);
        return (sequences, users) =>
        {
            var manifest = Manifest(recipe, hyperParameters);
            manifest.Scorer = ScorerKinds.Hrnn;
            manifest.HistoryWindow = network.Window;
            manifest.RepeatShare = network.RepeatShare;
            // The base's choice stands: its item vectors, with or without metadata folded in, are where the update starts.
            manifest.MetadataGate = baseModel.Manifest.MetadataGate;
            manifest.CoOccurrence = network.CoOccurrenceChoice;
            var tensors = HrnnExport.Tensors(network, null, null, null);
            tensors[TensorNames.ItemAgeDays] = ages;
            if (baseStates is not null)
            {
                // Users the base did not know start from zero, as a user without metadata does.
                var hidden = network.Hidden;
                var states = new float[users.UserIds.Count * hidden];
                for (var user = 0; user < users.UserIds.Count; user++)
                {
                    if (baseUsers.TryGetValue(users.UserIds[user], out var row))
                    {
                        baseStates.AsSpan(row * hidden, hidden).CopyTo(states.AsSpan(user * hidden, hidden));
                    }
                }

                tensors[TensorNames.UserInitialState] = SafeTensor.FromFloats(states, users.UserIds.Count, hidden);
            }

            // The base's context table, as its metadata start states: an update moves the state space only a little.
            if (baseModel.Tensors.GetValueOrDefault(TensorNames.ContextState) is { } baseContexts)
            {
                tensors[TensorNames.ContextState] = baseContexts;
            }

            var artifact = ArtifactBuilder.Build(manifest, sequences, users, tensors);
            artifact.Vocabulary.ContextTokens = baseModel.Vocabulary.ContextTokens;
            return artifact;
        };
    }

    private static ImpressionNegatives? Impressions(Recipe recipe, UserSequences sequences, TrainingData data) =>
        recipe.Name == Recipes.UserPersonalization ? ImpressionNegatives.Build(sequences, data.Impressions) : null;

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
