using Personalize.Models.Artifacts;
using Personalize.Models.Training;

namespace Personalize.Models.Scoring;

/// <summary>
/// What every scorer shares: the item and user vocabularies, the trained histories, item popularity, and the
/// candidate rule (the filter hook) applied the same way by every recipe.
/// </summary>
public abstract class Recommender : IRecommender
{
    private readonly Dictionary<string, int> _itemRows;
    private readonly Dictionary<string, int> _userRows;
    private readonly int[] _historyOffsets;
    private readonly int[] _historyItems;
    private readonly int[] _popularOrder;

    protected Recommender(ModelArtifact artifact)
    {
        Manifest = artifact.Manifest;
        ItemIds = artifact.Vocabulary.Items;
        _itemRows = Index(ItemIds, "item");
        _userRows = Index(artifact.Vocabulary.Users, "user");
        _historyOffsets = artifact.Tensor(TensorNames.UserHistoryOffsets).RequireInts(TensorNames.UserHistoryOffsets);
        _historyItems = artifact.Tensor(TensorNames.UserHistoryItems).RequireInts(TensorNames.UserHistoryItems);
        Popularity = artifact.Tensor(TensorNames.ItemPopularity).RequireFloats(TensorNames.ItemPopularity);
        if (Popularity.Length != ItemIds.Count || _historyOffsets.Length != _userRows.Count + 1)
        {
            throw new InvalidDataException($"Model artifact ({Manifest.Recipe}): tensor sizes do not match the vocabulary.");
        }

        _popularOrder = TopK.Largest(Popularity, Popularity.Length);
        ContextFields = artifact.Vocabulary.ContextTokens.Select(ContextTokens.FieldOf).ToHashSet(StringComparer.Ordinal);
    }

    public ModelManifest Manifest { get; }

    public IReadOnlySet<string> ContextFields { get; }

    public abstract bool ReturnsScores { get; }

    protected IReadOnlyList<string> ItemIds { get; }

    protected float[] Popularity { get; }

    protected int ItemCount => ItemIds.Count;

    public bool IsKnownItem(string itemId) => _itemRows.ContainsKey(itemId);

    public bool IsKnownUser(string userId) => _userRows.ContainsKey(userId);

    public IReadOnlyList<string> TrainedHistory(string userId) =>
        _userRows.TryGetValue(userId, out var user)
            ? _historyItems[_historyOffsets[user].._historyOffsets[user + 1]].Select(row => ItemIds[row]).ToList()
            : [];

    public abstract ValueTask<IReadOnlyList<RecommendedItem>> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken = default);

    public abstract ValueTask<IReadOnlyList<RecommendedItem>> RelatedItemsAsync(RecommendationRequest request, CancellationToken cancellationToken = default);

    public abstract IReadOnlyList<RecommendedItem> Rank(RecommendationRequest request);

    public IReadOnlyList<RecommendedItem> Popular(RecommendationRequest request) =>
        PopularRows(Count(request), Candidates(request), new HashSet<int>()).Select(row => new RecommendedItem(ItemIds[row], null)).ToList();

    protected static int Count(RecommendationRequest request) => Math.Clamp(request.NumResults, 0, RecommendationRequest.MaxNumResults);

    protected int? ItemRow(string? itemId) => itemId is not null && _itemRows.TryGetValue(itemId, out var row) ? row : null;

    protected int? UserRow(string? userId) => userId is not null && _userRows.TryGetValue(userId, out var row) ? row : null;

    /// <summary>The user's item rows, oldest first: trained history, then the recent items the model knows.</summary>
    protected int[] History(RecommendationRequest request)
    {
        var trained = UserRow(request.UserId) is { } user ? _historyItems.AsSpan(_historyOffsets[user].._historyOffsets[user + 1]) : [];
        var history = new List<int>(trained.Length + request.RecentItems.Count);
        history.AddRange(trained);
        foreach (var item in request.RecentItems)
        {
            if (_itemRows.TryGetValue(item, out var row))
            {
                history.Add(row);
            }
        }

        return [.. history];
    }

    /// <summary>The request's filter hook as a test on item rows.</summary>
    protected Func<int, bool> Candidates(RecommendationRequest request)
    {
        var hook = request.IsCandidate;
        return row => hook is null || hook(ItemIds[row]);
    }

    /// <summary>Popular item rows passing the test, skipping those already chosen; the fallback of every recipe.</summary>
    protected IEnumerable<int> PopularRows(int count, Func<int, bool> accept, IReadOnlySet<int> chosen)
    {
        if (count <= 0)
        {
            yield break;
        }

        foreach (var row in _popularOrder)
        {
            if (!chosen.Contains(row) && accept(row))
            {
                yield return row;
                if (--count == 0)
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>Unknown listed items keep their input order after the known ones, without a score, as Personalize does.</summary>
    protected IEnumerable<RecommendedItem> UnknownListed(RecommendationRequest request) =>
        request.InputList.Where(item => !_itemRows.ContainsKey(item) && (request.IsCandidate is null || request.IsCandidate(item)))
            .Select(item => new RecommendedItem(item, null));

    private static Dictionary<string, int> Index(IReadOnlyList<string> ids, string kind)
    {
        var rows = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            if (!rows.TryAdd(ids[i], i))
            {
                throw new InvalidDataException($"Model vocabulary lists {kind} \"{ids[i]}\" twice.");
            }
        }

        return rows;
    }
}
