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

    public static (IReadOnlyList<PredictedItem>? Items, PersonalizeError? Error) Recommend(CampaignState campaign, GetRecommendationsRequest request)
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

        var (candidate, filterError) = Candidates(campaign, request.FilterArn, request.FilterValues, request.UserId, request.ItemId);
        if (filterError is not null)
        {
            return (null, filterError);
        }

        var recent = campaign.Activity.Recent(request.UserId);
        var query = new RecommendationRequest
        {
            UserId = request.UserId,
            ItemId = request.ItemId,
            RecentItems = recent.Select(e => e.ItemId).ToList(),
            NumResults = request.NumResults ?? RequestValidation.DefaultNumResults,
            ExcludeConsumed = recipeType == UserPersonalization,
            IsCandidate = candidate,
        };
        var recommender = campaign.Recommender;
        IReadOnlyList<RecommendedItem> items = recipeType switch
        {
            RelatedItems => recommender.RelatedItems(query),
            // Users the model has not seen and who have sent no events get the popular items, as in Personalize.
            UserPersonalization when !recommender.IsKnownUser(request.UserId!) && recent.Count == 0 => recommender.Popular(query),
            _ => recommender.Recommend(query),
        };
        if (recipeType is RelatedItems or PopularItems)
        {
            // Personalize scores only user-personalization and ranking answers.
            items = items.Select(i => i with { Score = null }).ToList();
        }

        return (Shape(campaign, items, request.MetadataColumns), null);
    }

    public static (IReadOnlyList<PredictedItem>? Items, PersonalizeError? Error) Rank(CampaignState campaign, GetPersonalizedRankingRequest request)
    {
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
        };
        return (Shape(campaign, campaign.Recommender.Rank(query), request.MetadataColumns), null);
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
