using Personalize.Runtime.Http;
using Personalize.Runtime.Metrics;
using Prometheus;

namespace Personalize.Runtime.Endpoints;

/// <summary>The runtime's HTTP surface, one line per endpoint.</summary>
public static class RuntimeEndpoints
{
    public const string RateLimitPolicy = "campaign";

    public static void MapRuntime(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<RuntimeMetrics>();

        app.MapGet("/healthz", HealthEndpoints.Healthz);
        app.MapGet("/readyz", HealthEndpoints.Readyz);
        app.MapMetrics("/metrics", metrics.Registry);

        var api = app.MapGroup(string.Empty)
            .AddEndpointFilter<BearerTokenFilter>()
            .RequireRateLimiting(RateLimitPolicy);
        api.MapPost("/recommendations", RecommendationEndpoints.GetRecommendations).Measured(metrics, Operations.GetRecommendations);
        api.MapPost("/personalize-ranking", RecommendationEndpoints.GetPersonalizedRanking).Measured(metrics, Operations.GetPersonalizedRanking);
        api.MapPost("/events", EventEndpoints.PutEvents).Measured(metrics, Operations.PutEvents);
        api.MapPost("/users", EventEndpoints.PutUsers).Measured(metrics, Operations.PutUsers);
        api.MapPost("/items", EventEndpoints.PutItems).Measured(metrics, Operations.PutItems);
    }

    private static RouteHandlerBuilder Measured(this RouteHandlerBuilder endpoint, RuntimeMetrics metrics, string operation) =>
        endpoint.WithName(operation).AddEndpointFilter(new OperationMetricsFilter(metrics, operation));
}
