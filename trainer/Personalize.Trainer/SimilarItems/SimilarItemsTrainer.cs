using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Personalize.Trainer.SimilarItems;

/// <summary>
/// aws-similar-items: each item's neighbours are its co-occurrence neighbours (aws-sims at its defaults), then the
/// items nearest in a learned item space. An item's vector joins an id embedding (item_id_hidden_dim) and the mean of
/// its metadata tokens' embeddings (item_metadata_hidden_dim); both are trained so items a user takes one after the
/// other lie close (in-batch softmax over cosine similarity). The id part is dropped for a share of the pairs, so
/// metadata alone learns to place an item: a cold item (no interactions, its id part zero) gets neighbours through
/// its metadata.
/// </summary>
internal static class SimilarItemsTrainer
{
    public const double PopularityDiscountFactor = 0.5;
    public const int MinCointeractionCount = 3;

    /// <summary>Learned neighbours kept per item after its co-occurrence neighbours.</summary>
    public const int EmbeddingNeighbours = 100;

    private const int PairsPerBatch = 256;
    private const int Window = 2;
    private const double IdDropout = 0.3;
    private const double Temperature = 0.1;
    private const int ScoringRows = 1024;

    /// <summary>Each item's nearest items in the learned space (best first, never itself) with their cosine similarity.</summary>
    public static (int[] Items, float[] Scores)[] EmbeddingNeighbourLists(
        UserSequences data, TokenMatrix? itemTokens, int idDimension, int metadataDimension, HrnnSettings training, CancellationToken cancellationToken)
    {
        var device = HrnnTrainer.PickDevice();
        set_num_threads(training.Threads > 0 ? training.Threads : Environment.ProcessorCount);
        manual_seed(training.Seed);
        var items = data.ItemIds.Count;
        using var initialScale = 0.1.ToScalar();
        using var idTable = nn.Parameter(randn(items, idDimension, device: device).mul_(initialScale));
        using var tokenWeights = itemTokens is null ? null : tensor(itemTokens.Weights, [itemTokens.Rows, itemTokens.Tokens], device: device);
        using var tokenTable = itemTokens is null ? null : nn.Parameter(randn(itemTokens.Tokens, metadataDimension, device: device).mul_(initialScale));
        var parameters = new List<TorchSharp.Modules.Parameter> { idTable };
        if (tokenTable is not null)
        {
            parameters.Add(tokenTable);
        }

        using var optimizer = new AdamOptimizer(parameters, training.LearningRate);
        using var idDropout = IdDropout.ToScalar();
        using var temperature = Temperature.ToScalar();

        Tensor Vectors(Tensor rows, bool dropIds)
        {
            var ids = idTable.index_select(0, rows);
            if (dropIds)
            {
                ids = ids * rand(rows.shape[0], 1, device: device).ge(idDropout).to_type(ScalarType.Float32);
            }

            var joined = tokenTable is null ? ids : cat([ids, tokenWeights!.index_select(0, rows).matmul(tokenTable)], 1);
            return nn.functional.normalize(joined, dim: 1);
        }

        var pairs = Pairs(data);
        // An epoch is a random draw of as many pairs as there are distinct ones, not a pass over every occurrence:
        // the frequent pairs still count as often (the draw keeps their share), while the space, which a single pass
        // already settles (docs/benchmarks.md), trains 4.4x fewer steps on the bench's 100k data.
        var perEpoch = pairs.Distinct().Count();
        var random = new Random(training.Seed);
        for (var epoch = 0; epoch < training.Epochs && pairs.Length > 1; epoch++)
        {
            random.Shuffle(pairs);
            for (var start = 0; start < perEpoch; start += PairsPerBatch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var step = NewDisposeScope();
                var batch = pairs.AsSpan(start, Math.Min(PairsPerBatch, perEpoch - start));
                var anchors = tensor(batch.ToArray().Select(p => (long)p.Anchor).ToArray(), device: device);
                var contexts = tensor(batch.ToArray().Select(p => (long)p.Context).ToArray(), device: device);
                var logits = Vectors(anchors, dropIds: true).matmul(Vectors(contexts, dropIds: true).t()).div_(temperature);
                using var pairCount = batch.Length.ToScalar();
                var loss = nn.functional.cross_entropy(logits, arange(Scalars.Zero, pairCount, Scalars.One, ScalarType.Int64, device));
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.Step();
            }
        }

        using var final = NewDisposeScope();
        using var noGrad = no_grad();
        // Items nobody interacted with have an untrained id part: zero it, so only their metadata places them.
        var warm = tensor(data.ItemPopularity().Select(p => p > 0 ? 1f : 0f).ToArray(), device: device).unsqueeze(1);
        var ids = idTable * warm;
        var vectors = nn.functional.normalize(tokenTable is null ? ids : cat([ids, tokenWeights!.matmul(tokenTable)], 1), dim: 1);
        var lists = new (int[] Items, float[] Scores)[items];
        var keep = Math.Min(EmbeddingNeighbours + 1, items);
        for (var first = 0; first < items; first += ScoringRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var chunk = NewDisposeScope();
            var rows = Math.Min(ScoringRows, items - first);
            var (values, indices) = vectors.narrow(0, first, rows).matmul(vectors.t()).topk(keep, dim: 1);
            var scores = values.cpu().data<float>().ToArray();
            var neighbours = indices.cpu().data<long>().ToArray();
            for (var row = 0; row < rows; row++)
            {
                var item = first + row;
                var chosen = Enumerable.Range(row * keep, keep).Where(i => neighbours[i] != item && scores[i] > 0).Take(EmbeddingNeighbours).ToArray();
                lists[item] = (chosen.Select(i => (int)neighbours[i]).ToArray(), chosen.Select(i => scores[i]).ToArray());
            }
        }

        return lists;
    }

    /// <summary>
    /// Co-occurrence neighbours first (scored above every learned one: 1 plus their share of the best co-occurrence
    /// score), then learned neighbours not already listed, scored by cosine similarity (at most 1).
    /// </summary>
    public static (int[] Items, float[] Scores)[] Combine(IReadOnlyList<(int[] Items, float[] Scores)> cooccurrence, IReadOnlyList<(int[] Items, float[] Scores)> learned) =>
        cooccurrence.Select((co, item) =>
        {
            var best = co.Scores.Length == 0 ? 1f : Math.Max(co.Scores[0], float.Epsilon);
            var listed = co.Items.ToHashSet();
            var extra = Enumerable.Range(0, learned[item].Items.Length).Where(i => !listed.Contains(learned[item].Items[i])).ToArray();
            return (
                co.Items.Concat(extra.Select(i => learned[item].Items[i])).ToArray(),
                co.Scores.Select(s => 1f + (s / best)).Concat(extra.Select(i => learned[item].Scores[i])).ToArray());
        }).ToArray();

    /// <summary>Every pair of distinct items a user took within <see cref="Window"/> steps of each other, both ways.</summary>
    private static (int Anchor, int Context)[] Pairs(UserSequences data)
    {
        var pairs = new List<(int, int)>();
        foreach (var sequence in data.Sequences)
        {
            for (var i = 0; i < sequence.Length; i++)
            {
                for (var j = i + 1; j <= Math.Min(i + Window, sequence.Length - 1); j++)
                {
                    if (sequence[i] != sequence[j])
                    {
                        pairs.Add((sequence[i], sequence[j]));
                        pairs.Add((sequence[j], sequence[i]));
                    }
                }
            }
        }

        return [.. pairs];
    }
}
