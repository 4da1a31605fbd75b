using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Personalize.Operator.Controllers.Hosting;

/// <summary>
/// The operator's own HTTP surface: /metrics (Prometheus text), /healthz (the process and its loops are alive) and
/// /readyz (caches synced; standbys are ready too, so a failover finds a warm replica).
/// </summary>
public static class OperatorEndpoints
{
    /// <summary>Maps the three endpoints of the <see cref="OperatorHost"/> in the application's container.</summary>
    public static IEndpointRouteBuilder MapOperatorEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var host = endpoints.ServiceProvider.GetRequiredService<OperatorHost>();
        endpoints.MapGet("/healthz", () => host.Fault is null ? Results.Text("ok") : Results.Text($"failed: {host.Fault.Message}", statusCode: 500));
        endpoints.MapGet("/readyz", () => host.IsReady ? Results.Text(host.IsLeader ? "ready (leader)" : "ready (standby)") : Results.Text("caches not synced", statusCode: 503));
        endpoints.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4";
            await host.Metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
        return endpoints;
    }
}
