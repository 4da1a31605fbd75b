using System.Text.Json.Nodes;
using Personalize.Api;
using Personalize.Gateway.ControlPlane;
using Personalize.Gateway.Protocol;
using Personalize.Operator.Controllers.Reconcilers;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Gateway.Routing;

/// <summary>
/// Which campaign runtime answers a `personalize-runtime` or `personalize-events` call: GetRecommendations and
/// GetPersonalizedRanking go to the runtime of their campaignArn; PutEvents to a serving campaign of the trackingId's
/// dataset group; PutUsers and PutItems to one of the datasetArn's group (every runtime of a group reads what one
/// accepted, from the object store). All lookups stay in the caller's namespace.
/// </summary>
public static class RuntimeRoutes
{
    /// <summary>The REST-JSON paths of the two runtime clients, as botocore's models route them.</summary>
    public static IReadOnlyList<string> Paths { get; } = ["/recommendations", "/personalize-ranking", "/action-recommendations", "/events", "/users", "/items"];

    /// <summary>The operation botocore calls on each of <see cref="Paths"/>.</summary>
    public static string OperationOf(string path) => path switch
    {
        "/recommendations" => "GetRecommendations",
        "/personalize-ranking" => "GetPersonalizedRanking",
        "/action-recommendations" => "GetActionRecommendations",
        "/events" => "PutEvents",
        "/users" => "PutUsers",
        "/items" => "PutItems",
        _ => throw new ArgumentOutOfRangeException(nameof(path), path, "not a runtime path"),
    };

    public static string DestinationOf(IResourceStore store, string @namespace, string path, JsonObject body)
    {
        var arns = new ResourceArns(store, @namespace);
        string Field(string name) => body[name]?.GetValue<string>() is { Length: > 0 } value ? value : throw PersonalizeException.InvalidInput($"{name} is required.");
        return path switch
        {
            "/events" => Serving(store, @namespace, GroupOfTracker(store, @namespace, Field("trackingId")), "trackingId"),
            "/users" or "/items" => Serving(store, @namespace, arns.Find<Dataset>("datasetArn", Field("datasetArn")).Spec.DatasetGroupRef.Name, "datasetArn"),
            _ when body["campaignArn"] is null && body["recommenderArn"] is { } recommender =>
                throw PersonalizeException.NotFound($"recommenderArn: {recommender} does not exist; this service serves campaigns."),
            _ => EndpointOf(arns.Find<Campaign>("campaignArn", Field("campaignArn"))),
        };
    }

    private static string GroupOfTracker(IResourceStore store, string @namespace, string trackingId) =>
        store.List<EventTracker>(@namespace).FirstOrDefault(t => TrackerOperations.TrackingIdOf(t) == trackingId)?.Spec.DatasetGroupRef.Name
        ?? throw PersonalizeException.NotFound($"trackingId: no event tracker has the tracking id {trackingId}.");

    private static string Serving(IResourceStore store, string @namespace, string group, string field) =>
        EventTrackerController.CampaignsOf(store, @namespace, group)
            .Where(c => c.Status.Phase == Phases.Active && c.Status.Endpoint is not null)
            .OrderBy(c => c.Metadata.Name, StringComparer.Ordinal)
            .Select(c => c.Status.Endpoint!)
            .FirstOrDefault()
        ?? throw PersonalizeException.NotFound($"{field}: no campaign of dataset group {group} serves yet; real-time data is accepted once one is ACTIVE.");

    private static string EndpointOf(Campaign campaign) =>
        campaign.Status.Phase == Phases.Active && campaign.Status.Endpoint is { } endpoint
            ? endpoint
            : throw PersonalizeException.NotFound($"campaignArn: {ResourceArns.Of(campaign)} is {Shapes.StatusOf(campaign)}, not serving yet.");
}
