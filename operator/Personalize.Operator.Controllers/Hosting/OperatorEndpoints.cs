using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Personalize.Operator.Controllers.Hosting;

/// <summary>
/// The operator's own HTTP surface: /metrics (Prometheus text), /healthz (the process and its loops are alive) and
/// /readyz (caches synced; standbys are ready too, so a failover finds a warm replica).
/// </summary>
public static class OperatorEndpoints
{
    /// <summary>Starts Kestrel on the port (0: any free one); the returned app's Urls say where.</summary>
    public static async Task<WebApplication> StartAsync(OperatorHost host, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://0.0.0.0:{port.ToString(CultureInfo.InvariantCulture)}");
        var app = builder.Build();
        app.MapGet("/healthz", () => host.Fault is null ? Results.Text("ok") : Results.Text($"failed: {host.Fault.Message}", statusCode: 500));
        app.MapGet("/readyz", () => host.IsReady ? Results.Text(host.IsLeader ? "ready (leader)" : "ready (standby)") : Results.Text("caches not synced", statusCode: 503));
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4";
            await host.Metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        return app;
    }
}
