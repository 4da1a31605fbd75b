using Personalize.Models.Artifacts;

namespace Personalize.Models.Scoring;

/// <summary>How the trainer builds the ANN index; the defaults are what it ships with.</summary>
public sealed record AnnIndexOptions
{
    /// <summary>k-means lists; 0: about √items.</summary>
    public int Lists { get; init; }

    /// <summary>The most lists a query may read: beyond a quarter of the catalogue the index saves too little to be worth approximate answers.</summary>
    public double MaxProbeFraction { get; init; } = 0.25;

    /// <summary>Held-out users the recall is measured on (each costs one exact pass).</summary>
    public int MaxHeldOutUsers { get; init; } = 500;

    public int Seed { get; init; } = 42;
}

/// <summary>
/// Builds the ANN index beside an HRNN model and gates it: recall@25 against float32 exact scoring is measured on
/// held-out users' states for 1, 2, 3, 4, 6, 8, 11… probed lists, the fewest probes reaching <see cref="TargetRecall"/> are
/// chosen, and the index ships only if its recall there is at least <see cref="RequiredRecall"/>. An index that
/// fails is left out of the artifact (the runtime then serves exact scoring); the manifest says why either way.
/// </summary>
public static class AnnIndexBuilder
{
    /// <summary>Recall@25 below which an index never ships.</summary>
    public const double RequiredRecall = 0.98;

    /// <summary>Recall@25 the probe count is chosen for: a margin over the gate for users the sample did not cover.</summary>
    public const double TargetRecall = 0.99;

    /// <summary>Below this many items exact scoring costs microseconds; no index is built.</summary>
    public const int MinItems = 1000;

    public const int Depth = 25;

    /// <summary>The artifact with <see cref="ModelManifest.AnnIndex"/> set and, if the index passed the gate, its tensors.</summary>
    public static ModelArtifact Attach(ModelArtifact artifact, IReadOnlyList<float[]> heldOutStates, AnnIndexOptions? options = null)
    {
        var items = artifact.Tensor(TensorNames.ItemOutput).RequireFloats(TensorNames.ItemOutput);
        var bias = artifact.Tensor(TensorNames.ItemOutputBias).RequireFloats(TensorNames.ItemOutputBias);
        var (report, partitions) = Build(items, bias, items.Length / Math.Max(1, bias.Length), heldOutStates, options ?? new AnnIndexOptions());
        artifact.Manifest.AnnIndex = report;
        if (partitions is null)
        {
            return artifact;
        }

        var tensors = new Dictionary<string, SafeTensor>(artifact.Tensors);
        foreach (var (name, tensor) in partitions.Tensors())
        {
            tensors[name] = tensor;
        }

        return new ModelArtifact(artifact.Manifest, artifact.Vocabulary, tensors);
    }

    /// <summary>The report, and the index when it passed the gate.</summary>
    public static (AnnIndexReport Report, ItemPartitions? Index) Build(float[] items, float[] bias, int hidden, IReadOnlyList<float[]> heldOutStates, AnnIndexOptions options)
    {
        var count = bias.Length;
        if (count < MinItems)
        {
            return (new AnnIndexReport { Reason = $"{count} items: below {MinItems}, exact scoring is as fast; no index built." }, null);
        }

        var states = heldOutStates.Take(options.MaxHeldOutUsers).ToList();
        var lists = options.Lists > 0 ? Math.Min(options.Lists, count) : ItemPartitions.DefaultLists(count);
        if (states.Count == 0)
        {
            return (new AnnIndexReport { Lists = lists, Reason = "no held-out users to measure recall on: the index is not shipped." }, null);
        }

        var partitions = ItemPartitions.Build(items, bias, hidden, lists, options.Seed);
        var exact = new CatalogueScorer(items, bias, hidden, quantize: false);
        var ann = new AnnScorer(exact, items, bias, partitions, 1);
        var truth = states.Select(state => exact.Score(new ScoringQuery(state, Depth, null)).Rows).ToList();
        var maxProbes = Math.Max(1, (int)(partitions.Lists * options.MaxProbeFraction));
        var probes = 1;
        var recall = 0.0;
        while (true)
        {
            recall = Recall(ann, states, truth, probes);
            if (recall >= TargetRecall || probes == maxProbes)
            {
                break;
            }

            // Steps of about √2: each tries ~40% more lists, so the choice is within that of the fewest that suffice.
            probes = Math.Min(Math.Max(probes + 1, (int)Math.Round(probes * 1.4)), maxProbes);
        }

        var report = new AnnIndexReport { Lists = partitions.Lists, Probes = probes, RecallAt25 = Math.Round(recall, 4), HeldOutUsers = states.Count };
        if (recall < RequiredRecall)
        {
            report.Reason = $"recall@25 {recall:F3} on {states.Count} held-out users at {probes} of {partitions.Lists} lists is below {RequiredRecall}: the index is not shipped and exact scoring serves.";
            return (report, null);
        }

        report.Shipped = true;
        return (report, partitions);
    }

    /// <summary>Mean share of each exact top 25 that the index's top 25 also holds.</summary>
    public static double Recall(AnnScorer ann, IReadOnlyList<float[]> states, IReadOnlyList<int[]> truth, int probes)
    {
        var total = 0.0;
        for (var i = 0; i < states.Count; i++)
        {
            var found = ann.Score(new ScoringQuery(states[i], Depth, null), probes).Rows;
            total += truth[i].Length == 0 ? 1 : (double)found.Intersect(truth[i]).Count() / truth[i].Length;
        }

        return total / states.Count;
    }
}
