namespace Personalize.Api;

/// <summary>The recipes this product trains, with Personalize's hyper-parameters, defaults and ranges.</summary>
public static class Recipes
{
    public const string Hrnn = "aws-hrnn";
    public const string HrnnMetadata = "aws-hrnn-metadata";
    public const string HrnnColdstart = "aws-hrnn-coldstart";
    public const string UserPersonalization = "aws-user-personalization";
    public const string PersonalizedRanking = "aws-personalized-ranking";
    public const string Sims = "aws-sims";
    public const string PopularityCount = "aws-popularity-count";
    public const string SimilarItems = "aws-similar-items";
    public const string TrendingNow = "aws-trending-now";

    public const string RecipeArnPattern =
        "^arn:aws:personalize:::recipe/aws-(hrnn|hrnn-metadata|hrnn-coldstart|user-personalization|personalized-ranking|sims|similar-items|popularity-count|trending-now)$";

    private static readonly HyperParameter[] HistoryPercentiles =
    [
        HyperParameter.Continuous("min_user_history_length_percentile", 0.0, 0, 1, tunable: false, featurization: true),
        HyperParameter.Continuous("max_user_history_length_percentile", 0.99, 0, 1, tunable: false, featurization: true),
    ];

    private static HyperParameter[] HrnnFamily(int hiddenDimension) =>
    [
        HyperParameter.Integer("hidden_dimension", hiddenDimension, 32, 256),
        HyperParameter.Integer("bptt", 32, 2, 32),
        HyperParameter.Categorical("recency_mask", "true", ["true", "false"]),
        .. HistoryPercentiles,
    ];

    public static IReadOnlyList<Recipe> All { get; } =
    [
        new(Hrnn, RecipeTypes.UserPersonalization, "A GRU over each user's newest items; bptt is how far back training's gradients reach (truncated back-propagation through time), and the GRU reads bptt items. Where users never have an item twice (rating data), each step also learns the next 16 items, with dropout, and that model is served only where it beats a next-item model on validation users held out of training; the kept model is then trained again reading each user's whole stored history (200 items), gradients still cut every bptt steps, twice from two seeds, and served so only where that beats it too; a weighted mean of the scores of these models and of the one the horizon's choice set aside (each reading the whole history, served as one GRU of their widths side by side), chosen greedily on the validation users, is served instead where it beats the best one (the training's target-horizon and history-window progress give the figures and the choices, the model manifest's historyWindow what it reads; training then takes four trainings). On such data the served scores then also add an item-item term: EASE's closed-form weights (Steck 2019) from the 5,000 most interacted items (items beyond them are scored by their own ridge regression on those), factored to rank 64, summed over the items the GRU reads, with its ridge and weight chosen on the validation users, kept only where it beats the model alone there by more than noise (the model manifest's coOccurrence, whose pairShare says how much of the data the covered items hold).", HrnnFamily(43)),
        new(HrnnMetadata, RecipeTypes.UserPersonalization, "HRNN with item, user and contextual metadata features, kept only where they beat the same network without them on validation users held out of training (the model manifest's metadataGate gives both figures and the choice; training takes about 2.8 HRNN trainings).", HrnnFamily(43)),
        new(HrnnColdstart, RecipeTypes.UserPersonalization, "HRNN-Metadata that also recommends new items from their metadata, which it therefore always keeps (no metadata gate: without it new items could not be placed); its campaigns update automatically, as aws-user-personalization's (the legacy recipe of that behaviour).",
        [
            .. HrnnFamily(149),
            HyperParameter.Integer("cold_start_max_interactions", 15, 1, int.MaxValue, tunable: false, featurization: true),
            HyperParameter.Continuous("cold_start_max_duration", 5.0, 0.0, double.MaxValue, tunable: false, featurization: true),
            HyperParameter.Categorical("cold_start_relative_from", "latestItem", ["latestItem", "currentTime"], tunable: false, featurization: true),
        ]),
        new(UserPersonalization, RecipeTypes.UserPersonalization,
            "HRNN-Coldstart's network trained on impressions too (items shown and not chosen rank below the chosen one): an event's `impression`, else the list its `recommendationId` was served with; campaigns explore new items by itemExplorationConfig. A campaign serving a FULL version updates its model automatically (every 2 hours by default, only when new items or interactions were stored; no new version, no new metrics), and trainingMode UPDATE brings in new items without a full training.",
            HrnnFamily(149)),
        new(PersonalizedRanking, RecipeTypes.PersonalizedRanking, "HRNN scores restricted to a given list of items.", HrnnFamily(149)),
        new(Sims, RecipeTypes.RelatedItems, "Item-to-item co-occurrence in user histories, with popular-item fallback.",
        [
            HyperParameter.Continuous("popularity_discount_factor", 0.5, 0, 1),
            HyperParameter.Integer("min_cointeraction_count", 3, 0, 10),
            HyperParameter.Continuous("min_user_history_length_percentile", 0.005, 0, 1, tunable: false, featurization: true),
            HyperParameter.Continuous("max_user_history_length_percentile", 0.995, 0, 1, tunable: false, featurization: true),
            HyperParameter.Continuous("min_item_interaction_count_percentile", 0.01, 0, 1, tunable: false, featurization: true),
            HyperParameter.Continuous("max_item_interaction_count_percentile", 0.9, 0, 1, tunable: false, featurization: true),
        ]),
        new(SimilarItems, RecipeTypes.RelatedItems,
            "Co-occurrence neighbours, then the nearest items in a space learned from item ids and Items metadata, so items without interactions get neighbours too.",
        [
            HyperParameter.Integer("item_id_hidden_dim", 100, 30, 200),
            HyperParameter.Integer("item_metadata_hidden_dim", 100, 30, 200),
        ]),
        new(PopularityCount, RecipeTypes.PopularItems, "Items with the most interactions from unique users; the same list for everyone.", []),
        new(TrendingNow, RecipeTypes.PopularItems,
            "Items whose interactions grew most from the previous trend_discovery_frequency interval to the latest one; the same list for everyone, following real-time events without retraining.",
        [
            HyperParameter.Categorical("trend_discovery_frequency", "3 hours", ["30 minutes", "1 hour", "3 hours", "1 day"], tunable: false, featurization: true),
        ]),
    ];

    /// <summary>What AutoML tries when autoMLConfig.recipeList is empty: the HRNN recipes, as in Personalize.</summary>
    public static IReadOnlyList<string> AutoMLCandidates { get; } = [Hrnn, HrnnMetadata, HrnnColdstart];

    public static Recipe? Find(string nameOrArn)
    {
        var name = nameOrArn.StartsWith("arn:", StringComparison.Ordinal) ? nameOrArn[(nameOrArn.LastIndexOf('/') + 1)..] : nameOrArn;
        return All.FirstOrDefault(r => r.Name == name);
    }
}

public static class RecipeTypes
{
    public const string UserPersonalization = "USER_PERSONALIZATION";
    public const string PersonalizedRanking = "PERSONALIZED_RANKING";
    public const string RelatedItems = "RELATED_ITEMS";
    public const string PopularItems = "POPULAR_ITEMS";
}

public sealed record Recipe(string Name, string RecipeType, string Description, IReadOnlyList<HyperParameter> HyperParameters)
{
    public string Arn => Api.Arn.Recipe(Name);

    /// <summary>
    /// Checks algorithm hyper-parameters and featurization parameters against this recipe; each problem names the
    /// parameter and the rule. Unknown names are refused so a typo never trains silently with a default.
    /// </summary>
    public IReadOnlyList<string> Validate(IReadOnlyDictionary<string, string>? algorithm, IReadOnlyDictionary<string, string>? featurization)
    {
        var problems = new List<string>();
        Check(algorithm, "algorithmHyperParameters", featurizationSection: false);
        Check(featurization, "featureTransformationParameters", featurizationSection: true);
        return problems;

        void Check(IReadOnlyDictionary<string, string>? values, string section, bool featurizationSection)
        {
            foreach (var (key, value) in values ?? new Dictionary<string, string>())
            {
                var definition = HyperParameters.FirstOrDefault(h => h.Name == key);
                if (definition is null || definition.Featurization != featurizationSection)
                {
                    var known = string.Join(", ", HyperParameters.Where(h => h.Featurization == featurizationSection).Select(h => h.Name));
                    problems.Add($"solutionConfig.{section}.{key}: not a parameter of {Name} (known: {(known.Length == 0 ? "none" : known)})");
                    continue;
                }

                if (definition.Check(value) is { } problem)
                {
                    problems.Add($"solutionConfig.{section}.{key}: {problem}");
                }
            }
        }
    }

    /// <summary>Defaults overlaid with the given values: what the trainer actually uses.</summary>
    public IReadOnlyDictionary<string, string> Resolve(IReadOnlyDictionary<string, string>? algorithm, IReadOnlyDictionary<string, string>? featurization)
    {
        var resolved = HyperParameters.ToDictionary(h => h.Name, h => h.Default);
        foreach (var (key, value) in (algorithm ?? new Dictionary<string, string>()).Concat(featurization ?? new Dictionary<string, string>()))
        {
            resolved[key] = value;
        }

        return resolved;
    }
}
