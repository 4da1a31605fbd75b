using Personalize.Models.Training;
using static TorchSharp.torch;

namespace Personalize.Trainer.Hrnn;

/// <summary>
/// The HRNN family's co-occurrence term (<see cref="CoOccurrenceReport"/>): EASE's closed-form item-item weights
/// B = I − P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹ (Steck 2019), fitted over the most interacted items and factored to
/// B ≈ (U·S)·Vᵀ of rank <see cref="Rank"/>. A user's term, the sum of B's rows over the items the GRU reads, is then
/// that sum of U·S rows scored by V: more state dimensions and more output columns, so every scorer (exact, int8,
/// ANN) serves it as it serves the GRU's state. Items beyond the cap get output factors from the ridge regression EASE
/// solves for a column outside its regressors, so they are scored as covered items are; they add nothing as history.
/// An item-item model reads the whole history at once and the GRU reads it in order; they err differently, and the
/// sum beats either on rating data (docs/benchmarks.md).
/// </summary>
internal sealed class CoOccurrenceTerm(Tensor input, Tensor output, int items, double pairShare) : IDisposable
{
    /// <summary>The state dimensions the term adds; 32 to 256 scored alike on rating data, 64 is cheap to serve.</summary>
    public const int Rank = 64;

    /// <summary>Items the fit covers at most (as history and as regressors): XᵀX and its inverse are items² floats (100 MB each here).</summary>
    public const int MaxItems = 5000;

    /// <summary>EASE's ridge, chosen on validation users by EASE's own NDCG@10; the best grows with the data's users.</summary>
    public static readonly double[] LambdaGrid = [10, 30, 100, 300, 1000, 3000, 10000, 30000];

    /// <summary>
    /// The term's weight against the network's logits, in units of the term's spread (<see cref="Fit"/>), chosen on
    /// validation users with the network.
    /// </summary>
    public static readonly double[] WeightGrid = [1.0 / 64, 1.0 / 32, 1.0 / 16, 0.125, 0.25, 0.5, 1, 2, 4, 8];

    /// <summary>Training users whose scores measure the term's spread.</summary>
    private const int SpreadUsers = 500;

    /// <summary>Each item's history factors [items, rank] (U·S scaled by the weight): the state gains their sum over the read items.</summary>
    public Tensor Input { get; } = input;

    /// <summary>Each item's output factors [items, rank] (V): the columns that score the summed history factors.</summary>
    public Tensor Output { get; } = output;

    /// <summary>The state dimensions the term adds.</summary>
    public int Width => (int)Output.shape[1];

    /// <summary>How many items have history factors (the covered ones); the others' history rows are zero.</summary>
    public int Items { get; } = items;

    /// <summary>The share of the data's distinct user-item pairs whose item the term covers: what the item cap leaves out of histories.</summary>
    public double PairShare { get; } = pairShare;

    /// <summary>What the term covers, in the words of the choice's reason.</summary>
    public string Coverage => FormattableString.Invariant($"over {Items} items holding {PairShare:P1} of the user-item pairs");

    /// <summary>The items the term covers: the <paramref name="maxItems"/> with the most users, as rows of the vocabulary.</summary>
    public static long[] CoveredItems(UserSequences data, int maxItems = MaxItems) =>
        [.. data.ItemPopularity().Select((users, row) => (users, row)).Where(p => p.users > 0).OrderByDescending(p => p.users).ThenBy(p => p.row).Take(maxItems).Select(p => (long)p.row).Order()];

    /// <summary>
    /// XᵀX of the binary user × covered-item matrix: how many users have both items (the diagonal: each item's users),
    /// counted from each user's distinct items (the pairs of a user's items, not a dense product, which would cost
    /// users × items² operations); float32 counts are exact up to 2^24 users.
    /// </summary>
    public static Tensor Gram(UserSequences data, long[] covered, Device device)
    {
        var column = Columns(covered);
        var n = covered.Length;
        var counts = new float[(long)n * n];
        foreach (var sequence in data.Sequences)
        {
            var items = sequence.Select(item => column.GetValueOrDefault(item, -1)).Where(c => c >= 0).Distinct().ToArray();
            foreach (var i in items)
            {
                var row = (long)i * n;
                foreach (var j in items)
                {
                    counts[row + j]++;
                }
            }
        }

        return tensor(counts, [n, n], device: device);
    }

    /// <summary>EASE's closed form B = I − P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹, from the Gram matrix (left unchanged, so a search over λ counts it once).</summary>
    public static Tensor Ease(Tensor gram, double lambda)
    {
        using var scope = NewDisposeScope();
        return EaseFrom(Inverse(gram, lambda)).MoveToOuterDisposeScope();
    }

    /// <summary>P = (XᵀX + λI)⁻¹, in the caller's dispose scope.</summary>
    private static Tensor Inverse(Tensor gram, double lambda) => linalg.inv(gram.add(eye(gram.shape[0], device: gram.device).mul_(lambda)));

    /// <summary>B = I − P·diag(1/diag(P)) from P, in the caller's dispose scope.</summary>
    private static Tensor EaseFrom(Tensor inverse)
    {
        var b = inverse.div(inverse.diagonal().neg().unsqueeze(0));
        b.diagonal().zero_();
        return b;
    }

    /// <summary>
    /// The term for <paramref name="data"/>'s vocabulary: EASE with <paramref name="lambda"/> on the covered items,
    /// divided by the standard deviation of the scores it gives the first training users (EASE's scale follows the
    /// data's users over λ, so a weight means the same on any data), its top <see cref="Rank"/> singular directions by
    /// randomized SVD (Halko et al. 2011: a seeded sketch, two power iterations), the history factors scaled by
    /// <paramref name="weight"/>; items beyond the <paramref name="maxItems"/> covered have no history factors and get
    /// output factors from their own ridge regression.
    /// </summary>
    public static CoOccurrenceTerm Fit(UserSequences data, double lambda, double weight, int seed, Device device, int maxItems = MaxItems)
    {
        var covered = CoveredItems(data, maxItems);
        using var gram = Gram(data, covered, device);
        return Fit(data, covered, gram, lambda, weight, seed);
    }

    /// <summary><see cref="Fit(UserSequences, double, double, int, Device, int)"/> from the covered items' Gram matrix, counted once for a search over λ.</summary>
    public static CoOccurrenceTerm Fit(UserSequences data, long[] covered, Tensor gram, double lambda, double weight, int seed)
    {
        using var scope = NewDisposeScope();
        var device = gram.device;
        var rank = Math.Min(Rank, covered.Length);
        var inverse = Inverse(gram, lambda);
        var b = EaseFrom(inverse);
        var spread = Spread(data, covered, b);
        b.div_(spread);
        using var generator = new TorchSharp.torch.Generator((ulong)seed, device);
        var sketch = b.mm(randn(covered.Length, Math.Min(rank + 10, covered.Length), device: device, generator: generator));
        for (var i = 0; i < 2; i++)
        {
            sketch = b.mm(b.t().mm(linalg.qr(sketch).Q));
        }

        var basis = linalg.qr(sketch).Q;
        var (u, s, vh) = linalg.svd(basis.t().mm(b), fullMatrices: false);
        var left = basis.mm(u[.., ..rank]);
        var historyFactors = left.mul(s[..rank].unsqueeze(0)).mul_(weight);
        var outputFactors = vh[..rank, ..].t();
        var items = data.ItemIds.Count;
        var index = tensor(covered, device: device);
        var input = zeros(items, rank, device: device).index_copy_(0, index, historyFactors);
        var output = zeros(items, rank, device: device).index_copy_(0, index, outputFactors);
        if (covered.Length < items)
        {
            // An item beyond the cap is not among the regressors, so EASE's column for it needs no zero diagonal: the
            // ridge regression of its users on the covered items, P·g (g: how many of its users have each covered
            // item). Its output row is that column in the factors' terms, S⁻¹·Uᵀ·P·g / spread, so its score is the
            // column's projection summed over the history, as a covered item's is. Directions with no singular value
            // to speak of carry no history; dividing by them would only blow the item's row up, and int8 scoring
            // scales each row by its largest value.
            var singular = s[..rank];
            var inverted = where(singular.gt(singular[0].mul(1e-6)), singular.reciprocal(), zeros_like(singular));
            var projection = inverse.mm(left).mul_(inverted.unsqueeze(0)).div_(spread);
            var (rows, factors) = BeyondTheCap(data, covered, projection);
            if (rows.Length > 0)
            {
                output.index_copy_(0, tensor(rows, device: device), factors);
            }
        }

        var popularity = data.ItemPopularity();
        var pairShare = covered.Sum(row => (double)popularity[row]) / Math.Max(1.0, popularity.Sum(users => (double)users));
        return new CoOccurrenceTerm(input.MoveToOuterDisposeScope(), output.MoveToOuterDisposeScope(), covered.Length, pairShare);
    }

    /// <summary>
    /// The output rows of the items beyond the cap that share a user with a covered item: Σ over their users of the
    /// <paramref name="projection"/> rows [covered, rank] of the user's covered items (that is, projectionᵀ·g), counted
    /// user by user, as a dense items × covered count would not fit.
    /// </summary>
    private static (long[] Rows, Tensor Factors) BeyondTheCap(UserSequences data, long[] covered, Tensor projection)
    {
        var column = Columns(covered);
        var rank = (int)projection.shape[1];
        var weights = projection.cpu().data<float>().ToArray();
        var sums = new Dictionary<int, float[]>();
        var user = new float[rank];
        foreach (var sequence in data.Sequences)
        {
            var items = sequence.Distinct().ToArray();
            Array.Clear(user);
            var any = false;
            foreach (var item in items)
            {
                if (column.TryGetValue(item, out var c))
                {
                    any = true;
                    for (var k = 0; k < rank; k++)
                    {
                        user[k] += weights[((long)c * rank) + k];
                    }
                }
            }

            foreach (var item in items.Where(i => any && !column.ContainsKey(i)))
            {
                if (!sums.TryGetValue(item, out var sum))
                {
                    sums[item] = sum = new float[rank];
                }

                for (var k = 0; k < rank; k++)
                {
                    sum[k] += user[k];
                }
            }
        }

        var rows = sums.Keys.Order().ToArray();
        return ([.. rows.Select(r => (long)r)], tensor(rows.SelectMany(r => sums[r]).ToArray(), [rows.Length, rank], device: projection.device));
    }

    /// <summary>The standard deviation of the scores <paramref name="weights"/> give the first <see cref="SpreadUsers"/> users with history, over the covered items.</summary>
    private static Tensor Spread(UserSequences data, long[] covered, Tensor weights) =>
        Marks([.. data.Sequences.Where(s => s.Length > 0).Take(SpreadUsers)], covered, weights.device).mm(weights).std().clamp_min(1e-12);

    /// <summary>[histories, covered]: 1 where the history has the covered item, the input an item-item model scores.</summary>
    public static Tensor Marks(IReadOnlyList<int[]> histories, long[] covered, Device device)
    {
        var column = Columns(covered);
        var marks = new float[(long)histories.Count * covered.Length];
        for (var u = 0; u < histories.Count; u++)
        {
            foreach (var item in histories[u])
            {
                if (column.TryGetValue(item, out var c))
                {
                    marks[((long)u * covered.Length) + c] = 1;
                }
            }
        }

        return tensor(marks, [histories.Count, covered.Length], device: device);
    }

    /// <summary>Each covered item row's column.</summary>
    private static Dictionary<int, int> Columns(long[] covered) => covered.Select((row, i) => (row, i)).ToDictionary(p => (int)p.row, p => p.i);

    /// <summary>The same term at another weight (the history factors scaled by <paramref name="factor"/>); the caller disposes it.</summary>
    public CoOccurrenceTerm Scaled(double factor) => new(Input.mul(factor), Output.alias(), Items, PairShare);

    public void Dispose()
    {
        Input.Dispose();
        Output.Dispose();
    }
}
