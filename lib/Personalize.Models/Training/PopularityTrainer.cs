using Personalize.Models.Artifacts;

namespace Personalize.Models.Training;

/// <summary>aws-popularity-count: nothing to learn beyond the unique-user counts every artifact carries.</summary>
public static class PopularityTrainer
{
    public static ModelArtifact Train(ModelManifest manifest, UserSequences data, UserSequences served)
    {
        manifest.Scorer = ScorerKinds.Popularity;
        return ArtifactBuilder.Build(manifest, data, served, new Dictionary<string, SafeTensor>());
    }
}
