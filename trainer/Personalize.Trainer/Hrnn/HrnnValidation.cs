using Personalize.Models.Evaluation;
using Personalize.Models.Training;
using Personalize.Trainer.Torch;
using static TorchSharp.torch;

namespace Personalize.Trainer.Hrnn;

/// <summary>
/// Adaptive stopping's yardstick: a seeded tenth of the training users keep their oldest 90% of interactions for
/// training and give their newest 10% as truth, as the held-out test users do (<see cref="EvaluationSplit"/>), so the
/// model is judged after each epoch by what evaluation and serving ask of it (NDCG@10 of the items a request for the
/// user would get: the GRU over the network's window of newest items; seen items kept unless training left them out of
/// its softmax) rather than by its training loss, which keeps falling while a model overfits (docs/benchmarks.md).
/// Costs about 1% of the training interactions.
/// </summary>
internal sealed class HrnnValidation
{
    /// <summary>Fewer validation users than this judge an epoch too noisily to stop on: the run trains every epoch.</summary>
    public const int MinUsers = 20;

    private readonly List<(int User, int[] Input, HashSet<string> Truth)> _users;
    private readonly List<string> _itemIds;

    private HrnnValidation(List<(int, int[], HashSet<string>)> users, List<string> itemIds)
    {
        _users = users;
        _itemIds = itemIds;
    }

    public int Users => _users.Count;

    /// <summary>
    /// The training data with the validation users' newest interactions removed (user rows unchanged, so metadata and
    /// context rows still line up), and the validation set; null where the data has too few users to validate on.
    /// </summary>
    public static (UserSequences Training, HrnnValidation? Validation) Split(UserSequences data, int seed)
    {
        var split = EvaluationSplit.Create(data, seed);
        if (split.Test.Count < MinUsers)
        {
            return (data, null);
        }

        var rows = data.UserIds.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row, StringComparer.Ordinal);
        var sequences = (int[][])data.Sequences.Clone();
        var users = new List<(int, int[], HashSet<string>)>();
        foreach (var test in split.Test)
        {
            var row = rows[test.UserId];
            sequences[row] = test.Input;
            users.Add((row, test.Input, test.Truth.Select(i => data.ItemIds[i]).ToHashSet(StringComparer.Ordinal)));
        }

        // Prefixes of the same sequences: every remaining event keeps its position, so its context still lines up.
        return (data.With(data.UserIds, sequences), new HrnnValidation(users, data.ItemIds));
    }

    /// <summary>
    /// Mean NDCG@10 over the validation users, scored as the served model scores a request for them;
    /// <paramref name="excludeSeen"/> leaves out the items each user had, for a model trained not to rank them.
    /// </summary>
    public double Ndcg10(HrnnNetwork network, Tensor? itemTokens, Tensor? userTokens, (Tensor Matrix, int[][] EventRows)? contexts, bool excludeSeen, Device device) =>
        Score(network, itemTokens, userTokens, contexts, excludeSeen, device).Mean;

    /// <summary>
    /// Each validation user's NDCG@10 (in a fixed order, so two networks' lists pair up), as <see cref="Ndcg10"/> scores
    /// them; with <paramref name="term"/> added as the served model adds it (<see cref="CoOccurrenceTerm"/>).
    /// </summary>
    public double[] Ndcg10PerUser(
        HrnnNetwork network, Tensor? itemTokens, Tensor? userTokens, (Tensor Matrix, int[][] EventRows)? contexts, bool excludeSeen, Device device, CoOccurrenceTerm? term = null) =>
        Score(network, itemTokens, userTokens, contexts, excludeSeen, device, term).PerUser;

    /// <summary>Mean NDCG@10 over the validation users of EASE's weights <paramref name="weights"/> over the <paramref name="covered"/> item rows alone, each user's whole input in.</summary>
    public double ItemItemNdcg10(Tensor weights, long[] covered, bool excludeSeen)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var x = CoOccurrenceTerm.Marks([.. _users.Select(u => u.Input)], covered, weights.device);
        var scores = x.mm(weights);
        if (excludeSeen)
        {
            scores = scores.masked_fill(x.gt(0), float.NegativeInfinity);
        }

        var k = Math.Min(Evaluator.NumResults, covered.Length);
        var top = scores.topk(k, 1).indexes.cpu().data<long>().ToArray();
        var sum = 0.0;
        for (var u = 0; u < _users.Count; u++)
        {
            sum += OfflineMetrics.Ndcg(top.Skip(u * k).Take(k).Select(c => _itemIds[(int)covered[c]]).ToList(), _users[u].Truth, 10);
        }

        return _users.Count == 0 ? 0 : sum / _users.Count;
    }

    private (double Mean, double[] PerUser) Score(
        HrnnNetwork network, Tensor? itemTokens, Tensor? userTokens, (Tensor Matrix, int[][] EventRows)? contexts, bool excludeSeen, Device device, CoOccurrenceTerm? term = null)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (input, output, bias) = network.ItemTables(itemTokens, null);
        if (term is not null)
        {
            output = cat([output, term.Output], 1);
        }

        var perUser = new double[_users.Count];
        // Summed in the order scored, as the offline metrics sum them.
        var sum = 0.0;
        // One GRU call per window length (most users fill the whole window).
        foreach (var group in _users.Select((user, index) => (user.User, user.Input, user.Truth, Index: index)).GroupBy(u => Math.Min(u.Input.Length, network.Window)))
        {
            var batch = group.ToList();
            var windows = tensor(batch.SelectMany(u => u.Input[^group.Key..]).Select(i => (long)i).ToArray(), [batch.Count, group.Key], device: device);
            var users = tensor(batch.Select(u => (long)u.User).ToArray(), device: device);
            var initial = userTokens is null ? null : network.InitialStates(userTokens.index_select(0, users));
            var states = network.States(input, windows, initial)[.., -1, ..];
            if (contexts is { } context)
            {
                // A request's context is that of its moment: the first truth event's, as evaluation sends it.
                states = states.add(network.ContextShift(context.Matrix, tensor(batch.Select(u => (long)context.EventRows[u.User][u.Input.Length]).ToArray(), device: device)), Scalars.One);
            }

            if (term is not null)
            {
                // The served state's tail: the sum of the read items' history factors.
                states = cat([states, term.Input.index_select(0, windows.flatten()).view(batch.Count, group.Key, -1).sum([1L])], 1);
            }

            var logits = addmm(bias.unsqueeze(0), states, output.t(), beta: 1, alpha: 1);
            if (excludeSeen)
            {
                var cells = batch.SelectMany((u, i) => u.Input.Select(item => ((long)i * _itemIds.Count) + item)).ToArray();
                logits.view(-1).index_fill_(0, tensor(cells, device: device), Scalars.NegativeInfinity);
            }

            var top = logits.topk(Math.Min(Evaluator.NumResults, _itemIds.Count), 1).indexes.cpu().data<long>().ToArray();
            for (var i = 0; i < batch.Count; i++)
            {
                var ndcg = OfflineMetrics.Ndcg(top.Skip(i * top.Length / batch.Count).Take(top.Length / batch.Count).Select(row => _itemIds[(int)row]).ToList(), batch[i].Truth, 10);
                perUser[batch[i].Index] = ndcg;
                sum += ndcg;
            }
        }

        return (_users.Count == 0 ? 0 : sum / _users.Count, perUser);
    }
}
