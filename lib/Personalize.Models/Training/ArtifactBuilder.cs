using Personalize.Models.Artifacts;

namespace Personalize.Models.Training;

/// <summary>
/// Assembles a model artifact from what every recipe stores (vocabularies, item popularity, each user's recent
/// history) plus the recipe's own tensors.
/// </summary>
public static class ArtifactBuilder
{
    /// <summary>How many of each user's newest items the artifact keeps: enough for bptt and for excluding consumed items.</summary>
    public const int StoredHistoryLength = 200;

    public static ModelArtifact Build(ModelManifest manifest, UserSequences data, IReadOnlyDictionary<string, SafeTensor> recipeTensors)
    {
        var offsets = new int[data.UserIds.Count + 1];
        var items = new List<int>();
        for (var user = 0; user < data.Sequences.Length; user++)
        {
            var sequence = data.Sequences[user];
            items.AddRange(sequence[Math.Max(0, sequence.Length - StoredHistoryLength)..]);
            offsets[user + 1] = items.Count;
        }

        var tensors = new Dictionary<string, SafeTensor>(recipeTensors)
        {
            [TensorNames.ItemPopularity] = SafeTensor.FromFloats(data.ItemPopularity(), data.ItemIds.Count),
            [TensorNames.UserHistoryOffsets] = SafeTensor.FromInts(offsets, offsets.Length),
            [TensorNames.UserHistoryItems] = SafeTensor.FromInts([.. items], items.Count),
        };

        manifest.TrainingData = new TrainingDataSummary
        {
            Interactions = data.Interactions,
            Users = data.UserIds.Count,
            Items = data.ItemIds.Count,
            MinTimestamp = data.MinTimestamp,
            MaxTimestamp = data.MaxTimestamp,
        };
        var vocabulary = new ModelVocabulary { Items = data.ItemIds, Users = data.UserIds };
        return new ModelArtifact(manifest, vocabulary, tensors);
    }
}
