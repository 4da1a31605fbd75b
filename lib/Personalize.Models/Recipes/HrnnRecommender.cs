using System.Globalization;
using System.Numerics.Tensors;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Scoring;
using Personalize.Models.Training;

namespace Personalize.Models.Recipes;

/// <summary>
/// The HRNN family (aws-hrnn, -metadata, -coldstart, aws-personalized-ranking): a GRU runs over the user's newest
/// items, as many as the model was trained to read (<see cref="ModelManifest.HistoryWindow"/>; bptt in older models),
/// starting from the user's metadata state where the recipe has one, and the state scores every item by a dot product
/// with its output vector, moved by the request's context where the model learned context. Metadata recipes bake item
/// metadata into the exported item vectors. Large catalogues are scored with int8 item vectors and float32 re-scoring
/// (<see cref="ScoringSettings"/>). A model trained where users never repeat items scores a user's own items by the
/// share of repeats in its training data (<see cref="RepeatMixture"/>). A model with a co-occurrence term
/// (<see cref="ModelManifest.CoOccurrence"/>) scores with a longer state: the GRU's, then the sum of the read items'
/// history factors, which the output vectors' last columns score.
/// </summary>
public sealed class HrnnRecommender : Recommender
{
    private readonly float[] _itemInput;
    private readonly float[] _itemOutput;
    private readonly float[] _itemOutputBias;
    private readonly float[]? _userInitialState;
    private readonly float[]? _contextState;
    private readonly float[]? _historyInput;
    private readonly Dictionary<string, int> _contextRows;
    private readonly GruCell _cell;
    private readonly int _window;
    private readonly CatalogueScorer _scorer;
    private readonly ScoringBatcher? _batcher;
    private readonly UserStateCache? _states;
    private readonly AnnScorer? _ann;

    /// <param name="scoringMethod">campaignConfig.scoringMethod (<see cref="ScoringMethods"/>).</param>
    public HrnnRecommender(ModelArtifact artifact, ScoringSettings? settings = null, string scoringMethod = ScoringMethods.Auto)
        : base(artifact)
    {
        settings ??= new ScoringSettings();
        var weightIh = artifact.Tensor(TensorNames.GruWeightIh);
        var weightHh = artifact.Tensor(TensorNames.GruWeightHh);
        var hidden = weightHh.Shape[^1];
        var input = weightIh.Shape[^1];
        _cell = new GruCell(
            weightIh.RequireFloats(TensorNames.GruWeightIh),
            weightHh.RequireFloats(TensorNames.GruWeightHh),
            artifact.Tensor(TensorNames.GruBiasIh).RequireFloats(TensorNames.GruBiasIh),
            artifact.Tensor(TensorNames.GruBiasHh).RequireFloats(TensorNames.GruBiasHh),
            input,
            hidden);
        _itemInput = artifact.Tensor(TensorNames.ItemInput).RequireFloats(TensorNames.ItemInput);
        _itemOutput = artifact.Tensor(TensorNames.ItemOutput).RequireFloats(TensorNames.ItemOutput);
        _itemOutputBias = artifact.Tensor(TensorNames.ItemOutputBias).RequireFloats(TensorNames.ItemOutputBias);
        _historyInput = artifact.Tensors.TryGetValue(TensorNames.HistoryItemInput, out var history) ? history.RequireFloats(TensorNames.HistoryItemInput) : null;
        var rank = history is null ? 0 : history.Shape[^1];
        StateSize = hidden + rank;
        _userInitialState = artifact.Tensors.TryGetValue(TensorNames.UserInitialState, out var initial)
            ? initial.RequireFloats(TensorNames.UserInitialState)
            : null;
        if ((_historyInput?.Length ?? 0) != ItemCount * rank)
        {
            throw new InvalidDataException($"Model artifact ({Manifest.Recipe}): {TensorNames.HistoryItemInput} does not match {ItemCount} items.");
        }

        if (_itemInput.Length != ItemCount * input || _itemOutput.Length != ItemCount * StateSize || _itemOutputBias.Length != ItemCount)
        {
            throw new InvalidDataException($"Model artifact ({Manifest.Recipe}): item tensors do not match {ItemCount} items{(rank > 0 ? $" ({TensorNames.ItemOutput} needs {StateSize} columns: the GRU's {hidden} and the co-occurrence term's {rank})" : string.Empty)}.");
        }

        _contextRows = artifact.Vocabulary.ContextTokens.Select((token, row) => (token, row)).ToDictionary(p => p.token, p => p.row, StringComparer.Ordinal);
        _contextState = artifact.Tensors.TryGetValue(TensorNames.ContextState, out var context) ? context.RequireFloats(TensorNames.ContextState) : null;
        if ((_contextState?.Length ?? 0) != _contextRows.Count * hidden)
        {
            throw new InvalidDataException($"Model artifact ({Manifest.Recipe}): {TensorNames.ContextState} does not match {_contextRows.Count} context tokens.");
        }

        if (Manifest.RepeatShare is { } share and not (> 0 and < 1))
        {
            throw new InvalidDataException($"Model artifact ({Manifest.Recipe}): manifest repeatShare {share} is not between 0 and 1.");
        }

        _window = Manifest.HistoryWindow
            ?? (int.TryParse(Manifest.HyperParameters.GetValueOrDefault("bptt"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var bptt) ? bptt : 32);
        _scorer = new CatalogueScorer(_itemOutput, _itemOutputBias, StateSize, settings.ShouldQuantize(ItemCount, StateSize));
        _batcher = settings.Batch ? new ScoringBatcher(_scorer) : null;
        _states = settings.UserStateCacheSize > 0 ? new UserStateCache(settings.UserStateCacheSize) : null;
        (ScoringMethod, ScoringReason, _ann) = ChooseMethod(scoringMethod, ItemPartitions.FromArtifact(artifact, StateSize));
    }

    /// <summary>The method serving queries: <see cref="ScoringMethods.Ann"/> or <see cref="ScoringMethods.Exact"/>.</summary>
    public string ScoringMethod { get; }

    /// <summary>Why <see cref="ScoringMethod"/> was chosen, for the log and /metrics.</summary>
    public string ScoringReason { get; }

    /// <summary>Queries the ANN index answered by exact scoring because a filter left too few items in its lists.</summary>
    public long AnnExactFallbacks => _ann?.ExactFallbacks ?? 0;

    public override bool ReturnsScores => true;

    /// <summary>Bytes the ANN scorer adds over the model's tensors (0 when it does not serve).</summary>
    public long AnnBytes => _ann?.Bytes ?? 0;

    public int HiddenSize => _cell.HiddenSize;

    /// <summary>The length of the state that scores items: <see cref="HiddenSize"/>, plus the co-occurrence term's rank where the model has one.</summary>
    public int StateSize { get; }

    /// <summary>True when queries are scored with int8 item vectors (and float32 re-scoring).</summary>
    public bool Quantized => _scorer.Quantized;

    /// <summary>Users whose state is cached now.</summary>
    public int CachedUserStates => _states?.Count ?? 0;

    /// <summary>Passes over the item table and queries they scored, when batching (queries / passes: mean batch).</summary>
    public (long Passes, long Queries) BatchCounts => _batcher?.Counts ?? (0, 0);

    public override ValueTask<IReadOnlyList<RecommendedItem>> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken = default)
    {
        var history = History(request);
        var state = InContext(CachedUserState(request.UserId, history), request.Context);
        return Manifest.RepeatShare is { } share && history.Length > 0
            ? BestOfMixtureAsync(state, Count(request), Candidates(request), history, share, cancellationToken)
            : BestBySoftmaxAsync(state, Count(request), Candidates(request), cancellationToken);
    }

    public override ValueTask<IReadOnlyList<RecommendedItem>> RelatedItemsAsync(RecommendationRequest request, CancellationToken cancellationToken = default)
    {
        if (ItemRow(request.ItemId) is not { } item)
        {
            return new(Popular(request));
        }

        var state = UserState(null, [item]);
        var accept = Candidates(request);
        return BestBySoftmaxAsync(state, Count(request), row => row != item && accept(row), cancellationToken);
    }

    public override IReadOnlyList<RecommendedItem> Rank(RecommendationRequest request)
    {
        var accept = Candidates(request);
        var rows = request.InputList.Select(ItemRow).OfType<int>().Where(accept).Distinct().ToArray();
        var history = History(request);
        var state = InContext(CachedUserState(request.UserId, history), request.Context);
        var logits = new float[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            logits[i] = Logit(rows[i], state);
        }

        var ranked = new List<RecommendedItem>(request.InputList.Count);
        if (rows.Length > 0 && Manifest.RepeatShare is { } share)
        {
            var had = history.ToHashSet();
            var scores = RepeatMixture.Within(logits, rows.Select(had.Contains).ToArray(), share);
            ranked.AddRange(Enumerable.Range(0, rows.Length).OrderByDescending(i => scores[i]).ThenByDescending(i => logits[i])
                .Select(i => new RecommendedItem(ItemIds[rows[i]], scores[i])));
        }
        else if (rows.Length > 0)
        {
            var scores = new float[rows.Length];
            TensorPrimitives.SoftMax(logits, scores);
            ranked.AddRange(TopK.Largest(logits, rows.Length).Select(i => new RecommendedItem(ItemIds[rows[i]], scores[i])));
        }

        ranked.AddRange(UnknownListed(request));
        return ranked;
    }

    /// <summary>
    /// The GRU state after the user's newest items (the model's window), followed, where the model has a co-occurrence
    /// term, by the sum of those items' history factors; the scorer's user representation.
    /// </summary>
    public float[] UserState(int? user, ReadOnlySpan<int> history)
    {
        var state = new float[StateSize];
        if (user is { } row && _userInitialState is not null)
        {
            _userInitialState.AsSpan(row * HiddenSize, HiddenSize).CopyTo(state);
        }

        foreach (var item in history[Math.Max(0, history.Length - _window)..])
        {
            Step(item, state);
        }

        return state;
    }

    /// <summary>One read item: a GRU step on the state's first <see cref="HiddenSize"/> values, and its history factors added to the rest.</summary>
    private void Step(int item, float[] state)
    {
        _cell.Step(_itemInput.AsSpan(item * _cell.InputSize, _cell.InputSize), state.AsSpan(0, HiddenSize));
        if (_historyInput is not null)
        {
            var rank = StateSize - HiddenSize;
            var tail = state.AsSpan(HiddenSize);
            TensorPrimitives.Add(tail, _historyInput.AsSpan(item * rank, rank), tail);
        }
    }

    /// <summary>The state a request naming only this user scores with (the trainer's ANN recall gate uses it).</summary>
    public float[] UserState(string userId) => UserState(UserRow(userId), History(new RecommendationRequest { UserId = userId }));

    /// <summary>
    /// <see cref="UserState"/>, from the cache while the user's window is unchanged. A new event that only
    /// lengthens the window (history not longer than the window) advances the cached state by one GRU step; one that
    /// slides it recomputes the window once. Both give bit for bit the state recomputation gives.
    /// </summary>
    private float[] CachedUserState(string? userId, int[] history)
    {
        if (_states is null || userId is null)
        {
            return UserState(UserRow(userId), history);
        }

        var window = history[Math.Max(0, history.Length - _window)..];
        if (_states.TryGet(userId, out var cachedWindow, out var cachedState))
        {
            if (window.AsSpan().SequenceEqual(cachedWindow))
            {
                return cachedState;
            }

            if (cachedWindow.Length == window.Length - 1 && window.AsSpan(0, cachedWindow.Length).SequenceEqual(cachedWindow))
            {
                var next = (float[])cachedState.Clone();
                Step(window[^1], next);
                _states.Set(userId, window, next);
                return next;
            }
        }

        var state = UserState(UserRow(userId), window);
        _states.Set(userId, window, state);
        return state;
    }

    /// <summary>
    /// The state moved by the mean of the request's context tokens that training saw, as training adds the mean of
    /// each target event's context tokens to the state that scores it; the state itself when there is nothing to add.
    /// </summary>
    private float[] InContext(float[] state, IReadOnlyDictionary<string, string>? context)
    {
        if (_contextState is null || context is not { Count: > 0 })
        {
            return state;
        }

        var rows = ContextTokens.Of(context).Select(token => _contextRows.GetValueOrDefault(token, -1)).Where(row => row >= 0).Distinct().ToList();
        if (rows.Count == 0)
        {
            return state;
        }

        // A copy: the cached state serves other requests.
        var moved = (float[])state.Clone();
        foreach (var row in rows)
        {
            var gru = moved.AsSpan(0, HiddenSize);
            TensorPrimitives.MultiplyAdd(_contextState.AsSpan(row * HiddenSize, HiddenSize), 1f / rows.Count, gru, gru);
        }

        return moved;
    }

    /// <summary>
    /// Exact unless the method allows the ANN index and the artifact ships one that passed the trainer's recall gate;
    /// auto also needs a catalogue of <see cref="ScoringSettings.AnnFromItems"/> items.
    /// </summary>
    private (string Method, string Reason, AnnScorer? Ann) ChooseMethod(string method, ItemPartitions? partitions)
    {
        var report = Manifest.AnnIndex;
        switch (method)
        {
            case ScoringMethods.Exact:
                return (ScoringMethods.Exact, "campaignConfig.scoringMethod is exact", null);
            case ScoringMethods.Auto when ItemCount < ScoringSettings.AnnFromItems:
                return (ScoringMethods.Exact, $"auto: {ItemCount} items, below {ScoringSettings.AnnFromItems} exact scoring is cheap", null);
            case ScoringMethods.Auto or ScoringMethods.Ann:
                break;
            default:
                throw new ArgumentException($"campaignConfig.scoringMethod \"{method}\" is not one of {string.Join(", ", ScoringMethods.All)}.");
        }

        if (partitions is null || report is not { Shipped: true } || report.RecallAt25 < AnnIndexBuilder.RequiredRecall)
        {
            return (ScoringMethods.Exact, $"{method}: the model has no ANN index that passed the recall gate ({report?.Reason ?? "none was built"})", null);
        }

        var index = new AnnScorer(_scorer, _itemOutput, _itemOutputBias, partitions, report.Probes);
        return (ScoringMethods.Ann, $"{method}: ANN index, recall@25 {report.RecallAt25:F3} on {report.HeldOutUsers} held-out users, {index.Probes} of {partitions.Lists} lists per query", index);
    }

    /// <summary>Every item's logit for a state: output vector · state + bias.</summary>
    public float[] Logits(ReadOnlySpan<float> state)
    {
        var logits = new float[ItemCount];
        ItemLogits.Compute(_itemOutput, _itemOutputBias, state, logits);
        return logits;
    }

    private float Logit(int row, ReadOnlySpan<float> state) =>
        TensorPrimitives.Dot(_itemOutput.AsSpan(row * StateSize, StateSize), state) + _itemOutputBias[row];

    /// <summary>The best candidates, scored by a softmax over the whole catalogue (so scores of all items sum to 1).</summary>
    private async ValueTask<IReadOnlyList<RecommendedItem>> BestBySoftmaxAsync(float[] state, int count, Func<int, bool> accept, CancellationToken cancellationToken)
    {
        var scored = await ScoreAsync(new ScoringQuery(state, count, accept), cancellationToken);
        return scored.Rows.Select((row, i) => new RecommendedItem(ItemIds[row], scored.Score(i))).ToList();
    }

    /// <summary>The best candidates of <see cref="RepeatMixture"/>: the user's own items with probability <paramref name="share"/>, the rest with the remainder.</summary>
    private async ValueTask<IReadOnlyList<RecommendedItem>> BestOfMixtureAsync(
        float[] state, int count, Func<int, bool> accept, int[] history, double share, CancellationToken cancellationToken)
    {
        var hadSet = history.ToHashSet();
        var had = hadSet.ToArray();
        var fresh = await ScoreAsync(new ScoringQuery(state, count, row => !hadSet.Contains(row) && accept(row)), cancellationToken);
        var hadLogits = had.Select(row => Logit(row, state)).ToArray();
        return RepeatMixture.Best(fresh, had, hadLogits, share, accept, count).Select(c => new RecommendedItem(ItemIds[c.Row], c.Score)).ToList();
    }

    private async ValueTask<ScoredRows> ScoreAsync(ScoringQuery query, CancellationToken cancellationToken) =>
        _ann?.Score(query) ?? (_batcher is null ? _scorer.Score(query) : await _batcher.ScoreAsync(query, cancellationToken));
}
