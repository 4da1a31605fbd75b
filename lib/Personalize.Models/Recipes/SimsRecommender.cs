using Personalize.Models.Artifacts;
using Personalize.Models.Scoring;

namespace Personalize.Models.Recipes;

/// <summary>
/// aws-sims: each item's trained neighbours (co-occurrence in user histories, discounted by popularity), best first,
/// then popular items for unknown or sparse items. No scores, as in Personalize.
/// </summary>
public sealed class SimsRecommender : Recommender
{
    // A user's recommendations blend the neighbours of this many of their newest items.
    private const int RecentItemsForUsers = 10;

    private readonly int[] _offsets;
    private readonly int[] _neighbors;
    private readonly float[] _scores;

    public SimsRecommender(ModelArtifact artifact)
        : base(artifact)
    {
        _offsets = artifact.Tensor(TensorNames.SimsOffsets).RequireInts(TensorNames.SimsOffsets);
        _neighbors = artifact.Tensor(TensorNames.SimsNeighbors).RequireInts(TensorNames.SimsNeighbors);
        _scores = artifact.Tensor(TensorNames.SimsScores).RequireFloats(TensorNames.SimsScores);
        if (_offsets.Length != ItemCount + 1 || _neighbors.Length != _scores.Length)
        {
            throw new InvalidDataException($"Model artifact ({Manifest.Recipe}): neighbour tensors do not match {ItemCount} items.");
        }
    }

    public override bool ReturnsScores => false;

    public override ValueTask<IReadOnlyList<RecommendedItem>> RelatedItemsAsync(RecommendationRequest request, CancellationToken cancellationToken = default)
    {
        var item = ItemRow(request.ItemId);
        var accept = Candidates(request);
        bool Allowed(int row) => row != item && accept(row);
        var count = Count(request);
        var chosen = new List<int>(count);
        if (item is { } source)
        {
            for (var i = _offsets[source]; i < _offsets[source + 1] && chosen.Count < count; i++)
            {
                if (Allowed(_neighbors[i]))
                {
                    chosen.Add(_neighbors[i]);
                }
            }
        }

        chosen.AddRange(PopularRows(count - chosen.Count, Allowed, chosen.ToHashSet()).ToList());
        return new(chosen.Select(row => new RecommendedItem(ItemIds[row], null)).ToList());
    }

    public override ValueTask<IReadOnlyList<RecommendedItem>> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken = default)
    {
        var history = History(request);
        var blended = Blend(history);
        var accept = Candidates(request);
        var count = Count(request);
        var chosen = TopK.Largest(blended, count, row => blended[row] > 0 && accept(row)).ToList();
        chosen.AddRange(PopularRows(count - chosen.Count, accept, chosen.ToHashSet()).ToList());
        return new(chosen.Select(row => new RecommendedItem(ItemIds[row], null)).ToList());
    }

    public override IReadOnlyList<RecommendedItem> Rank(RecommendationRequest request)
    {
        var blended = Blend(History(request));
        var accept = Candidates(request);
        var known = request.InputList.Select(ItemRow).OfType<int>().Where(accept).Distinct()
            .OrderByDescending(row => blended[row]).ThenByDescending(row => Popularity[row]).ThenBy(row => row)
            .Select(row => new RecommendedItem(ItemIds[row], null));
        return known.Concat(UnknownListed(request)).ToList();
    }

    /// <summary>Neighbour scores summed over the user's newest items.</summary>
    private float[] Blend(int[] history)
    {
        var blended = new float[ItemCount];
        foreach (var item in history[Math.Max(0, history.Length - RecentItemsForUsers)..])
        {
            for (var i = _offsets[item]; i < _offsets[item + 1]; i++)
            {
                blended[_neighbors[i]] += _scores[i];
            }
        }

        return blended;
    }
}
