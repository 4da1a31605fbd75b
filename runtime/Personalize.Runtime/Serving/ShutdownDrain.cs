using Microsoft.Extensions.Options;

namespace Personalize.Runtime.Serving;

/// <summary>
/// Behind a Kubernetes Service a terminating pod still gets new connections until the endpoints controller and
/// kube-proxy have dropped it, a moment after its SIGTERM; a process that stops listening at once fails those requests
/// (a campaign's rollout would). So on stop the runtime first turns not ready and keeps serving for the drain period,
/// then stops as usual. The period is <see cref="DrainSettings"/> (environment <c>PERSONALIZE_RUNTIME_DRAIN_SECONDS</c>);
/// in a pod it defaults to 5 s, elsewhere to 0, as local mode stops a process only after its replacement serves.
/// </summary>
public sealed class ShutdownDrain(CampaignHost host, IOptions<DrainSettings> settings) : IHostedLifecycleService
{
    public const string Setting = "PERSONALIZE_RUNTIME_DRAIN_SECONDS";

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var period = settings.Value.Period;
        if (period <= TimeSpan.Zero)
        {
            return;
        }

        host.Draining();
        // The host's shutdown timeout cancels the token: then stop without the rest of the drain.
        await Task.Delay(period, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
