using Microsoft.AspNetCore.Http.HttpResults;
using Personalize.Runtime.Api;
using Personalize.Runtime.Http;
using Personalize.Runtime.Serving;

namespace Personalize.Runtime.Endpoints;

/// <summary>POST /recommendations and POST /personalize-ranking (personalize-runtime).</summary>
public static class RecommendationEndpoints
{
    public static async Task<Results<Ok<GetRecommendationsResponse>, PersonalizeError>> GetRecommendations(
        HttpRequest http, CampaignHost host, CancellationToken cancellationToken)
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

        var (items, recommendError) = Recommendations.Recommend(campaign, request);
        return recommendError ?? (Results<Ok<GetRecommendationsResponse>, PersonalizeError>)TypedResults.Ok(
            new GetRecommendationsResponse(items!, NewRecommendationId()));
    }

    public static async Task<Results<Ok<GetPersonalizedRankingResponse>, PersonalizeError>> GetPersonalizedRanking(
        HttpRequest http, CampaignHost host, CancellationToken cancellationToken)
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
        return rankError ?? (Results<Ok<GetPersonalizedRankingResponse>, PersonalizeError>)TypedResults.Ok(
            new GetPersonalizedRankingResponse(items!, NewRecommendationId()));
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

    private static string NewRecommendationId() => $"RID-{Guid.NewGuid()}";
}
