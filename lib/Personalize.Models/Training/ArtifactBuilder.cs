using Personalize.Models.Artifacts;

namespace Personalize.Models.Training;

/// <summary>
/// Assembles a model artifact from what every recipe stores (vocabularies, item popularity, each user's recent
/// history) plus the recipe's own tensors.
/// </summary>
public static class ArtifactBuilder
{
    /// <summary>How many of each user's newest items the artifact keeps: enough for bptt and for the filters.</summary>
    public const int StoredHistoryLength = 200;

    /// <summary>
    /// <paramref name="trained"/> is what the recipe learned from (it gives popularity and the training summary);
    /// <paramref name="served"/> holds every user the model must know, with their whole history, including users the
    /// percentile rule or the eventType / eventValueThreshold filter kept out of training. Both share one item vocabulary.
    /// </summary>
    public static ModelArtifact Build(ModelManifest manifest, UserSequences trained, UserSequences served, IReadOnlyDictionary<string, SafeTensor> recipeTensors)
    {
        if (!ReferenceEquals(trained.ItemIds, served.ItemIds))
        {
            throw new ArgumentException("The trained and served sequences must share one item vocabulary.", nameof(served));
        }

        var offsets = new int[served.UserIds.Count + 1];
        var items = new List<int>();
        for (var user = 0; user < served.Sequences.Length; user++)
        {
            var sequence = served.Sequences[user];
            items.AddRange(sequence[Math.Max(0, sequence.Length - StoredHistoryLength)..]);
            offsets[user + 1] = items.Count;
        }

        var tensors = new Dictionary<string, SafeTensor>(recipeTensors)
        {
            [TensorNames.ItemPopularity] = SafeTensor.FromFloats(trained.ItemPopularity(), trained.ItemIds.Count),
            [TensorNames.UserHistoryOffsets] = SafeTensor.FromInts(offsets, offsets.Length),
            [TensorNames.UserHistoryItems] = SafeTensor.FromInts([.. items], items.Count),
        };

        manifest.TrainingData = new TrainingDataSummary
        {
            Interactions = trained.Interactions,
            Users = trained.UserIds.Count,
            Items = trained.ItemIds.Count,
            MinTimestamp = trained.MinTimestamp,
            MaxTimestamp = trained.MaxTimestamp,
        };
        var vocabulary = new ModelVocabulary { Items = served.ItemIds, Users = served.UserIds };
        return new ModelArtifact(manifest, vocabulary, tensors);
    }
}
