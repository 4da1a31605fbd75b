using System.Numerics.Tensors;
using Personalize.Models.Artifacts;

namespace Personalize.Models.Scoring;

/// <summary>
/// The approximate nearest-neighbour index for maximum inner product (an inverted file): the items split into
/// lists by k-means over [vector, bias], so a query [state, 1] scores the centroids, then only the items of its best
/// lists. Lists are stored as runs of item rows, so the scorer reads each list as one contiguous block.
/// </summary>
public sealed class ItemPartitions
{
    private const int KMeansIterations = 8;

    /// <summary>Points k-means trains on per list (a sample of the catalogue); the rest are only assigned.</summary>
    private const int SamplePerList = 64;

    public ItemPartitions(float[] centroids, int[] offsets, int[] rows, int hidden)
    {
        Lists = offsets.Length - 1;
        if (Lists < 1 || centroids.Length != Lists * (hidden + 1) || offsets[0] != 0 || offsets[^1] != rows.Length)
        {
            throw new InvalidDataException("Model artifact: the ANN index tensors do not match each other.");
        }

        Centroids = centroids;
        Offsets = offsets;
        Rows = rows;
        Hidden = hidden;
    }

    public int Lists { get; }

    public int Hidden { get; }

    /// <summary>[lists, hidden + 1]: the mean [vector, bias] of each list.</summary>
    public float[] Centroids { get; }

    /// <summary>[lists + 1]: list l holds positions [Offsets[l], Offsets[l + 1]) of <see cref="Rows"/>.</summary>
    public int[] Offsets { get; }

    /// <summary>Item rows, list after list.</summary>
    public int[] Rows { get; }

    /// <summary>About √items lists: a query reads √items centroids, and each list holds about √items items.</summary>
    public static int DefaultLists(int items) => Math.Clamp((int)Math.Round(Math.Sqrt(items)), 1, 4096);

    public static ItemPartitions? FromArtifact(ModelArtifact artifact, int hidden) =>
        artifact.Tensors.TryGetValue(TensorNames.AnnCentroids, out var centroids)
            ? new ItemPartitions(
                centroids.RequireFloats(TensorNames.AnnCentroids),
                artifact.Tensor(TensorNames.AnnListOffsets).RequireInts(TensorNames.AnnListOffsets),
                artifact.Tensor(TensorNames.AnnListRows).RequireInts(TensorNames.AnnListRows),
                hidden)
            : null;

    public Dictionary<string, SafeTensor> Tensors() => new()
    {
        [TensorNames.AnnCentroids] = SafeTensor.FromFloats(Centroids, Lists, Hidden + 1),
        [TensorNames.AnnListOffsets] = SafeTensor.FromInts(Offsets, Offsets.Length),
        [TensorNames.AnnListRows] = SafeTensor.FromInts(Rows, Rows.Length),
    };

    /// <summary>k-means (Lloyd, seeded) over [item vector, bias] on a sample, then every item to its nearest centroid.</summary>
    public static ItemPartitions Build(float[] items, float[] bias, int hidden, int lists, int seed)
    {
        var count = bias.Length;
        var width = hidden + 1;
        lists = Math.Clamp(lists, 1, Math.Max(1, count));
        var points = new float[count * width];
        for (var row = 0; row < count; row++)
        {
            items.AsSpan(row * hidden, hidden).CopyTo(points.AsSpan(row * width, hidden));
            points[(row * width) + hidden] = bias[row];
        }

        var random = new Random(seed);
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        var sample = order[..Math.Min(count, lists * SamplePerList)];
        var centroids = new float[lists * width];
        for (var l = 0; l < lists; l++)
        {
            points.AsSpan(sample[l] * width, width).CopyTo(centroids.AsSpan(l * width, width));
        }

        var sampleLists = new int[sample.Length];
        for (var iteration = 0; iteration < KMeansIterations; iteration++)
        {
            Assign(points, sample, centroids, width, sampleLists);
            var sums = new double[lists * width];
            var sizes = new int[lists];
            for (var i = 0; i < sample.Length; i++)
            {
                var l = sampleLists[i];
                sizes[l]++;
                for (var k = 0; k < width; k++)
                {
                    sums[(l * width) + k] += points[(sample[i] * width) + k];
                }
            }

            for (var l = 0; l < lists; l++)
            {
                for (var k = 0; k < width; k++)
                {
                    // An empty list restarts at a random sample point instead of staying empty.
                    centroids[(l * width) + k] = sizes[l] > 0 ? (float)(sums[(l * width) + k] / sizes[l]) : points[(sample[random.Next(sample.Length)] * width) + k];
                }
            }
        }

        var assigned = new int[count];
        Assign(points, Enumerable.Range(0, count).ToArray(), centroids, width, assigned);
        var offsets = new int[lists + 1];
        foreach (var l in assigned)
        {
            offsets[l + 1]++;
        }

        for (var l = 0; l < lists; l++)
        {
            offsets[l + 1] += offsets[l];
        }

        var next = offsets[..^1];
        var rows = new int[count];
        for (var row = 0; row < count; row++)
        {
            rows[next[assigned[row]]++] = row;
        }

        return new ItemPartitions(centroids, offsets, rows, hidden);
    }

    /// <summary>Each point's nearest centroid in L2: argmax of point · centroid − |centroid|² / 2.</summary>
    private static void Assign(float[] points, int[] which, float[] centroids, int width, int[] assigned)
    {
        var lists = centroids.Length / width;
        var halfNorms = new float[lists];
        for (var l = 0; l < lists; l++)
        {
            var centroid = centroids.AsSpan(l * width, width);
            halfNorms[l] = TensorPrimitives.Dot(centroid, centroid) / 2;
        }

        Parallel.For(0, (which.Length + 1023) / 1024, chunk =>
        {
            for (var i = chunk * 1024; i < Math.Min(which.Length, (chunk + 1) * 1024); i++)
            {
                var point = points.AsSpan(which[i] * width, width);
                var best = 0;
                var bestScore = float.NegativeInfinity;
                for (var l = 0; l < lists; l++)
                {
                    var score = TensorPrimitives.Dot(point, centroids.AsSpan(l * width, width)) - halfNorms[l];
                    if (score > bestScore)
                    {
                        bestScore = score;
                        best = l;
                    }
                }

                assigned[i] = best;
            }
        });
    }
}
