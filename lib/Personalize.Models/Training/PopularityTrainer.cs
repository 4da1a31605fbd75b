using Personalize.Models.Artifacts;

namespace Personalize.Models.Training;

/// <summary>aws-popularity-count: nothing to learn beyond the unique-user counts every artifact carries.</summary>
public static class PopularityTrainer
{
    public static ModelArtifact Train(ModelManifest manifest, UserSequences data)
    {
        manifest.Scorer = ScorerKinds.Popularity;
        return ArtifactBuilder.Build(manifest, data, new Dictionary<string, SafeTensor>());
    }
}
