using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Logging;
using Personalize.Operator.Controllers.Hosting;

namespace Personalize.Operator.Controllers.Cluster;

/// <summary>
/// Leader election on a coordination.k8s.io Lease with the client's LeaderElector: only the holder reconciles;
/// when it stops renewing (crash, partition, shutdown) another replica takes over after the lease duration.
/// </summary>
public sealed class LeaseLeadership(IKubernetes client, OperatorSettings settings, ILogger<LeaseLeadership> logger) : ILeadership
{
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        var config = new LeaderElectionConfig(new LeaseLock(client, settings.LeaseNamespace, settings.LeaseName, settings.Identity))
        {
            LeaseDuration = settings.LeaseDuration,
            RenewDeadline = settings.RenewDeadline,
            RetryPeriod = settings.RetryPeriod,
        };
        using var elector = new LeaderElector(config);
        CancellationTokenSource? term = null;
        Task leading = Task.CompletedTask;
        var gate = new Lock();
        elector.OnStartedLeading += () =>
        {
            logger.LogInformation("{Identity} leads (Lease {Namespace}/{Lease})", settings.Identity, settings.LeaseNamespace, settings.LeaseName);
            lock (gate)
            {
                // Regaining the lease (a renewal that failed, then succeeded) can come while the last term still
                // finishes its reconciles: the new term starts once that one has ended, never beside it.
                var previous = leading;
                var previousTerm = term;
                var current = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                term = current;
                leading = Task.Run(async () =>
                {
                    try
                    {
                        await previous;
                    }
                    catch (OperationCanceledException)
                    {
                        // The last term ended as asked.
                    }

                    previousTerm?.Dispose();
                    await lead(current.Token);
                }, CancellationToken.None);
            }
        };
        elector.OnStoppedLeading += () =>
        {
            logger.LogWarning("{Identity} lost leadership; controllers stop", settings.Identity);
            lock (gate)
            {
                term?.Cancel();
            }
        };
        elector.OnNewLeader += leader => logger.LogInformation("Leader is {Leader}", leader);
        try
        {
            await elector.RunAndTryToHoldLeadershipForeverAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            Task finishing;
            lock (gate)
            {
                term?.Cancel();
                finishing = leading;
            }

            await finishing;
            term?.Dispose();
        }
    }
}
