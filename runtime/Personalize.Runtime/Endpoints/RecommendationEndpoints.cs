using Microsoft.AspNetCore.Http.HttpResults;
using Personalize.Runtime.Api;
using Personalize.Runtime.Http;
using Personalize.Runtime.Realtime;
using Personalize.Runtime.Serving;

namespace Personalize.Runtime.Endpoints;

/// <summary>POST /recommendations and POST /personalize-ranking (personalize-runtime).</summary>
public static class RecommendationEndpoints
{
    public static async Task<Results<Ok<GetRecommendationsResponse>, PersonalizeError>> GetRecommendations(
        HttpRequest http, CampaignHost host, ServedListRecorder served, CancellationToken cancellationToken)
    {
        var (request, error) = await JsonBody.ReadAsync<GetRecommendationsRequest>(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (RequestValidation.Validate(request!) is { } problem)
        {
            return PersonalizeError.InvalidInput(problem);
        }

        if (Campaign(host, request!.CampaignArn, request.RecommenderArn) is { } campaignError)
        {
            return campaignError;
        }

        var campaign = host.State!;
        if (MetadataAllowed(campaign, request.MetadataColumns) is { } metadataError)
        {
            return metadataError;
        }

        var (items, recommendError) = await Recommendations.RecommendAsync(campaign, request, cancellationToken);
        if (recommendError is not null)
        {
            return recommendError;
        }

        return TypedResults.Ok(new GetRecommendationsResponse(items!, Served(served, request.UserId, items!)));
    }

    public static async Task<Results<Ok<GetPersonalizedRankingResponse>, PersonalizeError>> GetPersonalizedRanking(
        HttpRequest http, CampaignHost host, ServedListRecorder served, CancellationToken cancellationToken)
    {
        var (request, error) = await JsonBody.ReadAsync<GetPersonalizedRankingRequest>(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (RequestValidation.Validate(request!) is { } problem)
        {
            return PersonalizeError.InvalidInput(problem);
        }

        if (Campaign(host, request!.CampaignArn, null) is { } campaignError)
        {
            return campaignError;
        }

        var campaign = host.State!;
        if (MetadataAllowed(campaign, request.MetadataColumns) is { } metadataError)
        {
            return metadataError;
        }

        var (items, rankError) = Recommendations.Rank(campaign, request);
        if (rankError is not null)
        {
            return rankError;
        }

        return TypedResults.Ok(new GetPersonalizedRankingResponse(items!, Served(served, request.UserId, items!)));
    }

    /// <summary>503 until the model is loaded; 404 for any campaign (or recommender) but the one served here.</summary>
    private static PersonalizeError? Campaign(CampaignHost host, string? campaignArn, string? recommenderArn)
    {
        if (host.State is not { } campaign)
        {
            return PersonalizeError.NotReady($"The campaign is not ready: {host.Status}.");
        }

        if (campaignArn is null)
        {
            return PersonalizeError.NotFound($"Recommender {recommenderArn} is not served here; this runtime serves campaign {campaign.Config.CampaignArn}.");
        }

        return campaignArn == campaign.Config.CampaignArn
            ? null
            : PersonalizeError.NotFound($"Campaign {campaignArn} is not served here; this runtime serves campaign {campaign.Config.CampaignArn}.");
    }

    private static PersonalizeError? MetadataAllowed(CampaignState campaign, Dictionary<string, List<string>>? metadataColumns) =>
        metadataColumns is { Count: > 0 } && !campaign.Config.CampaignConfig.EnableMetadataWithRecommendations
            ? PersonalizeError.InvalidInput(
                "metadataColumns need campaignConfig.enableMetadataWithRecommendations on the campaign; it is off.")
            : null;

    /// <summary>A new recommendationId, with the list it names queued for the store: events that carry it train on it as their impressions.</summary>
    private static string Served(ServedListRecorder served, string? userId, IReadOnlyList<PredictedItem> items)
    {
        var recommendationId = $"RID-{Guid.NewGuid()}";
        served.Record(recommendationId, userId, items.Select(i => i.ItemId));
        return recommendationId;
    }
}
