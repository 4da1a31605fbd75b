using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Scoring;

namespace Personalize.Models.Recipes;

/// <summary>Builds the scorer a manifest names; the one entry point the runtime, batch inference and evaluation use.</summary>
public static class RecommenderFactory
{
    public static IRecommender Create(ModelArtifact artifact, ScoringSettings? scoring = null, string scoringMethod = ScoringMethods.Auto) => artifact.Manifest.Scorer switch
    {
        ScorerKinds.Popularity => new PopularityRecommender(artifact),
        ScorerKinds.Sims => new SimsRecommender(artifact),
        ScorerKinds.Hrnn => new HrnnRecommender(artifact, scoring, scoringMethod),
        ScorerKinds.Trending => new TrendingRecommender(artifact),
        var other => throw new InvalidDataException(
            $"Model artifact ({artifact.Manifest.Recipe}): manifest.scorer \"{other}\" is not one of {ScorerKinds.Popularity}, {ScorerKinds.Sims}, {ScorerKinds.Hrnn}, {ScorerKinds.Trending}."),
    };

    public static async Task<IRecommender> LoadAsync(IObjectStore store, S3Uri modelUri, CancellationToken cancellationToken) =>
        Create(await ModelArtifact.LoadAsync(store, modelUri, cancellationToken));
}
