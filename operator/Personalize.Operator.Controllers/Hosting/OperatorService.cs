using Microsoft.Extensions.Hosting;

namespace Personalize.Operator.Controllers.Hosting;

/// <summary>
/// Runs the <see cref="OperatorHost"/> for as long as the application does. The host's stop (SIGTERM, Ctrl-C)
/// cancels it: in-flight reconciles finish within their grace and the lease is let go. An error stops the
/// application, with the fault in /healthz until then.
/// </summary>
public sealed class OperatorService(OperatorHost host) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => host.RunAsync(stoppingToken);
}
