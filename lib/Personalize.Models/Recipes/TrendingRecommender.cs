using System.Globalization;
using Personalize.Models.Artifacts;
using Personalize.Models.Scoring;
using Personalize.Models.Training;

namespace Personalize.Models.Recipes;

/// <summary>
/// aws-trending-now: items ranked by how much their interactions grew from the previous interval to the latest one
/// (TrendWindow), the same list for everyone, without scores; popular items fill in when fewer items grow. Real-time
/// events keep counting, so a surge (of a new item too) shows without retraining. Time is the events' own: the
/// window slides when a newer event arrives. Memory stays bounded: the latest two intervals' slots, each counting at
/// most <see cref="MaxItemsPerSlot"/> distinct items.
/// </summary>
public sealed class TrendingRecommender : Recommender, IObservesEvents
{
    public const int MaxItemsPerSlot = 100_000;

    // Under a stream of events the list is recomputed at most this often, not on every request.
    private const long RefreshMilliseconds = 1000;

    private readonly Lock _gate = new();
    private readonly long _slotSeconds;
    private readonly Dictionary<string, float>[] _ring = Enumerable.Range(0, TrendWindow.Slots).Select(_ => new Dictionary<string, float>(StringComparer.Ordinal)).ToArray();
    private readonly float? _eventValueThreshold;
    private long _newestSlot;
    private bool _dirty = true;
    private long _computedAt;
    private Trending[] _ranking = [];

    public TrendingRecommender(ModelArtifact artifact)
        : base(artifact)
    {
        _slotSeconds = TrendWindow.SlotSeconds(Manifest.HyperParameters);
        _eventValueThreshold = float.TryParse(Manifest.EventValueThreshold, NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold) ? threshold : null;
        var offsets = artifact.Tensor(TensorNames.TrendSlotOffsets).RequireInts(TensorNames.TrendSlotOffsets);
        var items = artifact.Tensor(TensorNames.TrendSlotItems).RequireInts(TensorNames.TrendSlotItems);
        var counts = artifact.Tensor(TensorNames.TrendSlotCounts).RequireFloats(TensorNames.TrendSlotCounts);
        if (offsets.Length != TrendWindow.Slots + 1 || items.Length != counts.Length || offsets[^1] != items.Length || items.Any(row => row < 0 || row >= ItemCount))
        {
            throw new InvalidDataException($"Model artifact ({Manifest.Recipe}): trend tensors do not match {TrendWindow.Slots} slots of {ItemCount} items.");
        }

        _newestSlot = TrendWindow.SlotOf(Manifest.TrainingData.MaxTimestamp ?? 0, _slotSeconds);
        for (var slot = 0; slot < TrendWindow.Slots; slot++)
        {
            var counted = _ring[RingIndex(_newestSlot - TrendWindow.Slots + 1 + slot)];
            for (var i = offsets[slot]; i < offsets[slot + 1]; i++)
            {
                counted[ItemIds[items[i]]] = counts[i];
            }
        }
    }

    public override bool ReturnsScores => false;

    public void Observe(string itemId, string? eventType, double? eventValue, long timestamp)
    {
        // The solution's eventType / eventValueThreshold choose what training counted; events count the same way.
        if ((Manifest.EventType is { } type && !string.Equals(type, eventType, StringComparison.OrdinalIgnoreCase))
            || (_eventValueThreshold is { } minimum && (eventValue is not { } value || value < minimum)))
        {
            return;
        }

        var slot = TrendWindow.SlotOf(timestamp, _slotSeconds);
        lock (_gate)
        {
            if (slot <= _newestSlot - TrendWindow.Slots)
            {
                return;
            }

            for (var passed = _newestSlot + 1; passed <= Math.Min(slot, _newestSlot + TrendWindow.Slots); passed++)
            {
                _ring[RingIndex(passed)].Clear();
            }

            _newestSlot = Math.Max(_newestSlot, slot);
            var counted = _ring[RingIndex(slot)];
            if (counted.Count < MaxItemsPerSlot || counted.ContainsKey(itemId))
            {
                counted[itemId] = counted.GetValueOrDefault(itemId) + 1;
                _dirty = true;
            }
        }
    }

    public override ValueTask<IReadOnlyList<RecommendedItem>> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken = default) =>
        new(Answer(request, exclude: null));

    public override ValueTask<IReadOnlyList<RecommendedItem>> RelatedItemsAsync(RecommendationRequest request, CancellationToken cancellationToken = default) =>
        new(Answer(request, request.ItemId));

    public override IReadOnlyList<RecommendedItem> Rank(RecommendationRequest request)
    {
        var trend = Ranking().ToDictionary(t => t.ItemId, t => t.Trend, StringComparer.Ordinal);
        return request.InputList.Distinct(StringComparer.Ordinal)
            .Where(item => request.IsCandidate is null || request.IsCandidate(item))
            .OrderByDescending(item => trend.GetValueOrDefault(item))
            .ThenByDescending(item => ItemRow(item) is { } row ? Popularity[row] : 0)
            .Select(item => new RecommendedItem(item, null))
            .ToList();
    }

    /// <summary>The growing items that pass the request's filter, then popular ones.</summary>
    private List<RecommendedItem> Answer(RecommendationRequest request, string? exclude)
    {
        var count = Count(request);
        var chosen = new List<RecommendedItem>(count);
        var chosenRows = new HashSet<int>();
        foreach (var trending in Ranking())
        {
            if (chosen.Count == count || trending.Trend <= 0)
            {
                break;
            }

            if (trending.ItemId != exclude && (request.IsCandidate is null || request.IsCandidate(trending.ItemId)))
            {
                chosen.Add(new RecommendedItem(trending.ItemId, null));
                if (ItemRow(trending.ItemId) is { } row)
                {
                    chosenRows.Add(row);
                }
            }
        }

        var accept = Candidates(request);
        var excluded = ItemRow(exclude);
        chosen.AddRange(PopularRows(count - chosen.Count, row => row != excluded && accept(row), chosenRows).Select(row => new RecommendedItem(ItemIds[row], null)));
        return chosen;
    }

    /// <summary>Items by trend, then latest-interval count, then id; recomputed after events, at most once a second.</summary>
    private Trending[] Ranking()
    {
        var now = Environment.TickCount64;
        if (!Volatile.Read(ref _dirty) || now - Volatile.Read(ref _computedAt) < RefreshMilliseconds)
        {
            return Volatile.Read(ref _ranking);
        }

        lock (_gate)
        {
            var slots = new Dictionary<string, float[]>(StringComparer.Ordinal);
            for (var slot = 0; slot < TrendWindow.Slots; slot++)
            {
                foreach (var (item, count) in _ring[RingIndex(_newestSlot - TrendWindow.Slots + 1 + slot)])
                {
                    if (!slots.TryGetValue(item, out var counts))
                    {
                        slots[item] = counts = new float[TrendWindow.Slots];
                    }

                    counts[slot] = count;
                }
            }

            var ranking = slots.Select(s => new Trending(s.Key, TrendWindow.Trend(s.Value), TrendWindow.Recent(s.Value)))
                .OrderByDescending(t => t.Trend).ThenByDescending(t => t.Recent).ThenBy(t => t.ItemId, StringComparer.Ordinal)
                .ToArray();
            Volatile.Write(ref _ranking, ranking);
            Volatile.Write(ref _computedAt, now);
            Volatile.Write(ref _dirty, false);
            return ranking;
        }
    }

    private static int RingIndex(long slot) => (int)(((slot % TrendWindow.Slots) + TrendWindow.Slots) % TrendWindow.Slots);

    private readonly record struct Trending(string ItemId, float Trend, float Recent);
}
