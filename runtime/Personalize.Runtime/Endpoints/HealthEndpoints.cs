using Microsoft.AspNetCore.Http.HttpResults;
using Personalize.Runtime.Serving;

namespace Personalize.Runtime.Endpoints;

/// <summary>Liveness (the process answers) and readiness (the model is loaded and real-time state caught up).</summary>
public static class HealthEndpoints
{
    public static Ok<string> Healthz() => TypedResults.Ok("ok");

    public static Results<Ok<string>, ProblemHttpResult> Readyz(CampaignHost host) =>
        host.IsReady
            ? TypedResults.Ok("ready")
            : TypedResults.Problem(host.Status, statusCode: StatusCodes.Status503ServiceUnavailable, title: "not ready");
}
