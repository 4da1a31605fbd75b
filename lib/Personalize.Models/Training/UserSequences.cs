namespace Personalize.Models.Training;

/// <summary>
/// One interaction as training sees it, after event-type and event-value filtering; <paramref name="Context"/> holds
/// its categorical contextual metadata (field to raw value), or null.
/// </summary>
public readonly record struct Interaction(string UserId, string ItemId, long Timestamp, IReadOnlyDictionary<string, string>? Context = null);

/// <summary>
/// Interactions coded as rows: item and user vocabularies (in first-seen order) and each user's item rows ordered
/// by time (stable for equal timestamps). The shape every recipe trains on and the split cuts.
/// </summary>
public sealed class UserSequences
{
    private UserSequences(List<string> itemIds, List<string> userIds, int[][] sequences, long? minTimestamp, long? maxTimestamp, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>?[]>? contexts)
    {
        ItemIds = itemIds;
        UserIds = userIds;
        Sequences = sequences;
        EventContexts = contexts;
        MinTimestamp = minTimestamp;
        MaxTimestamp = maxTimestamp;
        Interactions = sequences.Sum(s => (long)s.Length);
    }

    public List<string> ItemIds { get; }

    public List<string> UserIds { get; }

    /// <summary>Item rows per user row, oldest first.</summary>
    public int[][] Sequences { get; }

    public long? MinTimestamp { get; }

    public long? MaxTimestamp { get; }

    public long Interactions { get; }

    /// <summary>
    /// Each user's events' contexts, in the order of their sequence, by user id (so they survive subsets of users);
    /// null when no event had one, or when the sequences were changed event by event.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>?[]>? EventContexts { get; }

    /// <summary>The context of one event of one user (a row of <see cref="UserIds"/>), or null.</summary>
    public IReadOnlyDictionary<string, string>? ContextOf(int user, int position) =>
        EventContexts?.GetValueOrDefault(UserIds[user]) is { } contexts && position < contexts.Length ? contexts[position] : null;

    /// <summary>
    /// Codes interactions. <paramref name="catalogueItems"/> adds items that have no interactions (from the Items
    /// dataset) to the vocabulary so cold-start recipes can recommend them. <paramref name="leadingItems"/> (a base
    /// model's vocabulary, for an UPDATE training) take the first rows in their order, so the base's weights keep
    /// their rows and new items follow.
    /// </summary>
    public static UserSequences Build(IEnumerable<Interaction> interactions, IEnumerable<string>? catalogueItems = null, IEnumerable<string>? leadingItems = null)
    {
        var itemRows = new Dictionary<string, int>(StringComparer.Ordinal);
        var userRows = new Dictionary<string, int>(StringComparer.Ordinal);
        var itemIds = new List<string>();
        foreach (var item in leadingItems ?? [])
        {
            Row(itemRows, itemIds, item);
        }

        var userIds = new List<string>();
        var events = new List<List<(long Timestamp, int Item, IReadOnlyDictionary<string, string>? Context)>>();
        long? min = null;
        long? max = null;
        var anyContext = false;
        foreach (var interaction in interactions)
        {
            var item = Row(itemRows, itemIds, interaction.ItemId);
            var user = Row(userRows, userIds, interaction.UserId);
            if (user == events.Count)
            {
                events.Add([]);
            }

            events[user].Add((interaction.Timestamp, item, interaction.Context));
            anyContext |= interaction.Context is { Count: > 0 };
            min = min is null ? interaction.Timestamp : Math.Min(min.Value, interaction.Timestamp);
            max = max is null ? interaction.Timestamp : Math.Max(max.Value, interaction.Timestamp);
        }

        foreach (var item in catalogueItems ?? [])
        {
            Row(itemRows, itemIds, item);
        }

        var ordered = events.Select(e => e.OrderBy(x => x.Timestamp).ToList()).ToList();
        var contexts = anyContext
            ? Enumerable.Range(0, userIds.Count).ToDictionary(u => userIds[u], u => ordered[u].Select(e => e.Context).ToArray(), StringComparer.Ordinal)
            : null;
        return new UserSequences(itemIds, userIds, [.. ordered.Select(e => e.Select(x => x.Item).ToArray())], min, max, contexts);
    }

    /// <summary>
    /// The same item vocabulary with the users of other interactions (every user a served model must know, including
    /// those training left out), each user's items oldest first; items outside the vocabulary are left out.
    /// </summary>
    public UserSequences Recode(IEnumerable<Interaction> interactions)
    {
        var itemRows = new Dictionary<string, int>(ItemIds.Count, StringComparer.Ordinal);
        for (var row = 0; row < ItemIds.Count; row++)
        {
            itemRows[ItemIds[row]] = row;
        }

        var userRows = new Dictionary<string, int>(StringComparer.Ordinal);
        var userIds = new List<string>();
        var events = new List<List<(long Timestamp, int Item)>>();
        foreach (var interaction in interactions)
        {
            if (!itemRows.TryGetValue(interaction.ItemId, out var item))
            {
                continue;
            }

            var user = Row(userRows, userIds, interaction.UserId);
            if (user == events.Count)
            {
                events.Add([]);
            }

            events[user].Add((interaction.Timestamp, item));
        }

        return With(userIds, Ordered(events), sameEvents: false);
    }

    /// <summary>
    /// The same vocabularies with other sequences: a split's training users or a subset of users
    /// (<paramref name="sameEvents"/>: each user's sequence unchanged, so their contexts still line up), or sequences
    /// changed event by event, which drops the contexts.
    /// </summary>
    public UserSequences With(List<string> userIds, int[][] sequences, bool sameEvents = true) =>
        new(ItemIds, userIds, sequences, MinTimestamp, MaxTimestamp, sameEvents ? EventContexts : null);

    /// <summary>Unique users per item: Personalize's popularity.</summary>
    public float[] ItemPopularity()
    {
        var popularity = new float[ItemIds.Count];
        foreach (var sequence in Sequences)
        {
            foreach (var item in sequence.Distinct())
            {
                popularity[item]++;
            }
        }

        return popularity;
    }

    // OrderBy is stable: equal timestamps keep their input order.
    private static int[][] Ordered(List<List<(long Timestamp, int Item)>> events) =>
        events.Select(e => e.OrderBy(x => x.Timestamp).Select(x => x.Item).ToArray()).ToArray();

    private static int Row(Dictionary<string, int> rows, List<string> ids, string id)
    {
        if (!rows.TryGetValue(id, out var row))
        {
            row = ids.Count;
            rows[id] = row;
            ids.Add(id);
        }

        return row;
    }
}
