using Personalize.Models.Filters;
using Personalize.Models.Scoring;
using Personalize.Runtime.Api;
using Personalize.Runtime.Http;

namespace Personalize.Runtime.Serving;

/// <summary>
/// GetRecommendations and GetPersonalizedRanking over a loaded campaign: the user's real-time events feed the model,
/// the request's filter becomes the scorer's candidate test, and answers take Personalize's shape per recipe type.
/// </summary>
public static class Recommendations
{
    // Recipe types as manifests spell them (Personalize's RecipeType values).
    private const string UserPersonalization = "USER_PERSONALIZATION";
    private const string PersonalizedRanking = "PERSONALIZED_RANKING";
    private const string RelatedItems = "RELATED_ITEMS";
    private const string PopularItems = "POPULAR_ITEMS";

    /// <remarks>Cancelling <paramref name="cancellationToken"/> (the client went away) withdraws a query still waiting for a batched pass.</remarks>
    public static async ValueTask<(IReadOnlyList<PredictedItem>? Items, PersonalizeError? Error)> RecommendAsync(
        CampaignState campaign, GetRecommendationsRequest request, CancellationToken cancellationToken)
    {
        var recipeType = campaign.RecipeType;
        if (recipeType == PersonalizedRanking)
        {
            return (null, PersonalizeError.InvalidInput(
                $"Campaign {campaign.Config.CampaignArn} serves a PERSONALIZED_RANKING model; call GetPersonalizedRanking (POST /personalize-ranking) instead."));
        }

        if (recipeType == UserPersonalization && string.IsNullOrEmpty(request.UserId))
        {
            return (null, PersonalizeError.InvalidInput("userId is required for a USER_PERSONALIZATION campaign."));
        }

        if (recipeType == RelatedItems && string.IsNullOrEmpty(request.ItemId))
        {
            return (null, PersonalizeError.InvalidInput("itemId is required for a RELATED_ITEMS campaign."));
        }

        if (ContextError(campaign, request.Context) is { } contextError)
        {
            return (null, contextError);
        }

        var (candidate, filterError) = Candidates(campaign, request.FilterArn, request.FilterValues, request.UserId, request.ItemId);
        if (filterError is not null)
        {
            return (null, filterError);
        }

        var promotion = request.Promotions?.FirstOrDefault();
        Func<string, bool>? promoted = null;
        if (promotion is not null)
        {
            var (promotedCandidate, promotionError) = Candidates(campaign, promotion.FilterArn, promotion.FilterValues, request.UserId, request.ItemId);
            if (promotionError is not null)
            {
                return (null, promotionError);
            }

            promoted = promotedCandidate ?? (_ => true);
        }

        var recent = campaign.Activity.Recent(request.UserId);
        var recommender = campaign.Recommender;
        // Users the model has not seen and who have sent no events get the popular items, as in Personalize.
        var popularOnly = recipeType == UserPersonalization && !recommender.IsKnownUser(request.UserId!) && recent.Count == 0;
        // Exploration (campaignConfig.itemExplorationConfig) shares the regular places, never the promoted ones.
        ValueTask<IReadOnlyList<RecommendedItem>> AskAsync(Func<string, bool>? candidate, int count, bool explore)
        {
            var query = new RecommendationRequest
            {
                UserId = request.UserId,
                ItemId = request.ItemId,
                RecentItems = recent.Select(e => e.ItemId).ToList(),
                NumResults = count,
                IsCandidate = candidate,
                Context = request.Context,
            };
            return recipeType == RelatedItems ? recommender.RelatedItemsAsync(query, cancellationToken)
                : popularOnly ? new(recommender.Popular(query))
                : explore && campaign.Exploration is { } exploration ? exploration.RecommendAsync(query, recommender.RecommendAsync, cancellationToken)
                : recommender.RecommendAsync(query, cancellationToken);
        }

        var numResults = request.NumResults ?? RequestValidation.DefaultNumResults;
        IReadOnlyList<RecommendedItem> items;
        IReadOnlySet<string> promotedIds = new HashSet<string>();
        if (promotion is null)
        {
            items = await AskAsync(candidate, numResults, explore: true);
        }
        else
        {
            var share = (int)Math.Ceiling(numResults * promotion.PercentPromotedItems!.Value / 100.0);
            var promotedItems = await AskAsync(promoted, Math.Min(share, numResults), explore: false);
            promotedIds = promotedItems.Select(i => i.ItemId).ToHashSet(StringComparer.Ordinal);
            var ids = promotedIds;
            var regular = await AskAsync(id => !ids.Contains(id) && (candidate is null || candidate(id)), numResults - promotedItems.Count, explore: true);
            items = RecommendationLists.Spread(promotedItems, regular);
        }

        if (recipeType is RelatedItems or PopularItems)
        {
            // Personalize scores only user-personalization and ranking answers.
            items = items.Select(i => i with { Score = null }).ToList();
        }

        var shaped = Shape(campaign, items, request.MetadataColumns);
        return (promotion is null ? shaped : shaped.Select(i => promotedIds.Contains(i.ItemId) ? i with { PromotionName = promotion.Name } : i).ToList(), null);
    }

    public static (IReadOnlyList<PredictedItem>? Items, PersonalizeError? Error) Rank(CampaignState campaign, GetPersonalizedRankingRequest request)
    {
        if (ContextError(campaign, request.Context) is { } contextError)
        {
            return (null, contextError);
        }

        var (candidate, filterError) = Candidates(campaign, request.FilterArn, request.FilterValues, request.UserId, null);
        if (filterError is not null)
        {
            return (null, filterError);
        }

        var query = new RecommendationRequest
        {
            UserId = request.UserId,
            RecentItems = campaign.Activity.Recent(request.UserId).Select(e => e.ItemId).ToList(),
            InputList = request.InputList!,
            NumResults = request.InputList!.Count,
            IsCandidate = candidate,
            Context = request.Context,
        };
        return (Shape(campaign, campaign.Recommender.Rank(query), request.MetadataColumns), null);
    }

    /// <summary>
    /// A context the model cannot use is refused rather than ignored: a key that is not one of the model's context
    /// fields, or any context for a model trained without one. A value training never saw is a valid request.
    /// </summary>
    private static PersonalizeError? ContextError(CampaignState campaign, IReadOnlyDictionary<string, string>? context)
    {
        if (context is not { Count: > 0 })
        {
            return null;
        }

        var fields = campaign.Recommender.ContextFields;
        if (fields.Count == 0)
        {
            return PersonalizeError.InvalidInput(
                $"context: this campaign's model ({campaign.Manifest.Recipe}) was trained without contextual metadata, so context cannot change its answers. "
                + "Leave it out, or train aws-hrnn-metadata on an Interactions schema with categorical context fields (such as DEVICE).");
        }

        var unknown = context.Keys.FirstOrDefault(key => !fields.Contains(key.ToUpperInvariant()));
        return unknown is null
            ? null
            : PersonalizeError.InvalidInput($"context.{unknown}: not a context field of this campaign's model; it knows {string.Join(", ", fields.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>The request's filter as a candidate test, or the 404/400 it earns.</summary>
    private static (Func<string, bool>? Candidate, PersonalizeError? Error) Candidates(
        CampaignState campaign, string? filterArn, IReadOnlyDictionary<string, string>? filterValues, string? userId, string? itemId)
    {
        if (filterArn is null)
        {
            return filterValues is { Count: > 0 }
                ? (null, PersonalizeError.InvalidInput("filterValues were given without a filterArn."))
                : (null, null);
        }

        if (!campaign.TryGetFilter(filterArn, out var filter))
        {
            return (null, PersonalizeError.NotFound($"Filter {filterArn} does not exist or is not ACTIVE in this campaign's dataset group."));
        }

        if (filter.Target != FilterTarget.ItemId)
        {
            return (null, PersonalizeError.InvalidInput($"Filter {filterArn} selects users (UserID); recommendations need an ItemID filter."));
        }

        if ((filter.UsesInteractions || filter.UsesCurrentUser) && string.IsNullOrEmpty(userId))
        {
            return (null, PersonalizeError.InvalidInput($"userId is required: filter {filterArn} reads the user's interactions or CurrentUser."));
        }

        BoundFilter bound;
        try
        {
            bound = filter.Bind(filterValues);
        }
        catch (FilterValueException e)
        {
            return (null, PersonalizeError.InvalidInput(e.Message));
        }

        if (bound.IsEmpty)
        {
            return (null, null);
        }

        var context = new FilterContext(campaign.Items)
        {
            Interactions = Interactions(campaign, userId),
            CurrentUser = campaign.UserMetadata(userId),
            CurrentItemId = itemId,
        };
        var predicate = bound.Compile(context);
        return (predicate.Allows, null);
    }

    /// <summary>The user's interactions for interaction filters: imported ones, then real-time events.</summary>
    private static List<FilterInteraction> Interactions(CampaignState campaign, string? userId) =>
        userId is null ? [] : [.. campaign.BulkHistory.Recent(userId), .. campaign.Activity.Recent(userId)];

    private static List<PredictedItem> Shape(CampaignState campaign, IReadOnlyList<RecommendedItem> items, Dictionary<string, List<string>>? metadataColumns)
    {
        var columns = metadataColumns?.GetValueOrDefault("ITEMS");
        var table = campaign.Items;
        return items.Select(item => new PredictedItem(item.ItemId, item.Score, columns is null ? null : Metadata(table, item.ItemId, columns))).ToList();
    }

    private static Dictionary<string, string> Metadata(ItemTable table, string itemId, List<string> columns)
    {
        var ordinal = table.OrdinalOf(itemId);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            var values = table.Values(ordinal, column);
            if (values.Count > 0)
            {
                metadata[column] = string.Join('|', values);
            }
        }

        return metadata;
    }
}
