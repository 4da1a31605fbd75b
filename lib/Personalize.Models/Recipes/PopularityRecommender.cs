using Personalize.Models.Artifacts;
using Personalize.Models.Scoring;

namespace Personalize.Models.Recipes;

/// <summary>aws-popularity-count: the items most users interacted with, the same for everyone, without scores.</summary>
public sealed class PopularityRecommender(ModelArtifact artifact) : Recommender(artifact)
{
    public override bool ReturnsScores => false;

    public override ValueTask<IReadOnlyList<RecommendedItem>> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken = default) =>
        new(Popular(request));

    public override ValueTask<IReadOnlyList<RecommendedItem>> RelatedItemsAsync(RecommendationRequest request, CancellationToken cancellationToken = default)
    {
        var item = ItemRow(request.ItemId);
        var accept = Candidates(request);
        return new(PopularRows(Count(request), row => row != item && accept(row), new HashSet<int>())
            .Select(row => new RecommendedItem(ItemIds[row], null)).ToList());
    }

    public override IReadOnlyList<RecommendedItem> Rank(RecommendationRequest request)
    {
        var accept = Candidates(request);
        var known = request.InputList.Select(ItemRow).OfType<int>().Where(accept).Distinct()
            .OrderByDescending(row => Popularity[row]).ThenBy(row => row)
            .Select(row => new RecommendedItem(ItemIds[row], null));
        return known.Concat(UnknownListed(request)).ToList();
    }
}
