using Personalize.Models.Artifacts;

namespace Personalize.Models.Training;

/// <summary>
/// aws-trending-now: counts each item's interactions per slot over the two intervals that end at the newest training
/// interaction. The runtime keeps counting real-time events on top of these, so the list follows them without
/// retraining.
/// </summary>
public static class TrendingTrainer
{
    public static ModelArtifact Train(ModelManifest manifest, UserSequences data, UserSequences served, IEnumerable<Interaction> interactions)
    {
        manifest.Scorer = ScorerKinds.Trending;
        var slotSeconds = TrendWindow.SlotSeconds(manifest.HyperParameters);
        var counts = Enumerable.Range(0, TrendWindow.Slots).Select(_ => new Dictionary<int, float>()).ToArray();
        if (data.MaxTimestamp is { } newest)
        {
            var itemRows = new Dictionary<string, int>(data.ItemIds.Count, StringComparer.Ordinal);
            for (var row = 0; row < data.ItemIds.Count; row++)
            {
                itemRows[data.ItemIds[row]] = row;
            }

            var users = data.UserIds.ToHashSet(StringComparer.Ordinal);
            var first = TrendWindow.SlotOf(newest, slotSeconds) - TrendWindow.Slots + 1;
            foreach (var interaction in interactions)
            {
                var slot = TrendWindow.SlotOf(interaction.Timestamp, slotSeconds) - first;
                if (slot >= 0 && slot < TrendWindow.Slots && users.Contains(interaction.UserId) && itemRows.TryGetValue(interaction.ItemId, out var item))
                {
                    counts[slot][item] = counts[slot].GetValueOrDefault(item) + 1;
                }
            }
        }

        var offsets = new int[TrendWindow.Slots + 1];
        for (var slot = 0; slot < TrendWindow.Slots; slot++)
        {
            offsets[slot + 1] = offsets[slot] + counts[slot].Count;
        }

        var tensors = new Dictionary<string, SafeTensor>
        {
            [TensorNames.TrendSlotOffsets] = SafeTensor.FromInts(offsets, offsets.Length),
            [TensorNames.TrendSlotItems] = SafeTensor.FromInts(counts.SelectMany(c => c.Keys).ToArray(), offsets[^1]),
            [TensorNames.TrendSlotCounts] = SafeTensor.FromFloats(counts.SelectMany(c => c.Values).ToArray(), offsets[^1]),
        };
        return ArtifactBuilder.Build(manifest, data, served, tensors);
    }
}
