using k8s;
using k8s.Models;
using Personalize.Api;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>
/// Leadership on a real Lease that another holder takes and gives back: the operator keeps reconciling after it
/// regains the lease, and a replica that lost it stops reconciling before the lease can pass to another.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class LeadershipFlapTests(OperatorEnvironment env)
{
    private const string LeaseName = "personalize-operator-leader";

    [Fact]
    public async Task RegainingTheLeaseWhileTheLastTermStillFinishes_KeepsReconciling()
    {
        using var cluster = await TestCluster.CreateAsync(env, "flap");
        var ns = cluster.Namespace;
        var store = new GatedObjectStore(env.Objects);
        await using var op = await RunningOperator.StartAsync(env, ns, Leading("operator-flap"), objects: store, shutdownGrace: TimeSpan.FromSeconds(30));
        await Wait.UntilAsync(() => op.Host.IsLeader, TimeSpan.FromSeconds(20), "the operator to lead");
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.WaitForPhaseAsync<Dataset>("interactions", Phases.Active);

        for (var flap = 1; flap <= 3; flap++)
        {
            // A reconcile held in flight (its read waits on the store) while the lease goes to another holder and back.
            store.Close();
            await cluster.CreateAsync(Samples.Import(ns, $"import-{flap}"));
            await store.ReadWaiting.WaitAsync(TimeSpan.FromSeconds(30));
            // Held past the renew deadline, so the operator's term ends; then it expires and the operator takes it back.
            await TakeLeaseAsync(cluster.Client, ns, "someone-else", TimeSpan.FromSeconds(6));
            await Wait.UntilAsync(async _ => (await HolderAsync(cluster.Client, ns)) == "operator-flap", TimeSpan.FromSeconds(30), $"flap {flap}: the operator to regain the lease");
            store.Open();

            await cluster.CreateAsync(Samples.Group(ns, $"after-flap-{flap}"));
            await cluster.WaitForPhaseAsync<DatasetGroup>($"after-flap-{flap}", Phases.Active, TimeSpan.FromSeconds(30));
            Assert.True(op.Host.IsLeader);
            Assert.Null(op.Host.Fault);
        }
    }

    [Fact]
    public async Task LosingTheLease_StopsReconcilesInFlight_BeforeTheLeaseCanPass()
    {
        using var cluster = await TestCluster.CreateAsync(env, "lose");
        var ns = cluster.Namespace;
        var store = new GatedObjectStore(env.Objects);
        // The controllers' own shutdown grace (30 s) is longer than the lease: leadership must bound it.
        await using var op = await RunningOperator.StartAsync(env, ns, Leading("operator-lose"), objects: store, shutdownGrace: TimeSpan.FromSeconds(30));
        await Wait.UntilAsync(() => op.Host.IsLeader, TimeSpan.FromSeconds(20), "the operator to lead");
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.WaitForPhaseAsync<Dataset>("interactions", Phases.Active);
        store.Close();
        await cluster.CreateAsync(Samples.Import(ns));
        await store.ReadWaiting.WaitAsync(TimeSpan.FromSeconds(30));

        await TakeLeaseAsync(cluster.Client, ns, "someone-else", TimeSpan.FromMinutes(5));

        // Another replica may take the lease one lease duration after this one's last renewal.
        await Wait.UntilAsync(() => !op.Host.IsLeader, LeaseDuration, "the operator to stop reconciling within a lease duration");
        store.Open();
    }

    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(10);

    private static Func<Controllers.Hosting.OperatorSettings, Controllers.Hosting.OperatorSettings> Leading(string identity) => s => s with
    {
        LeaderElection = true,
        Identity = identity,
        LeaseDuration = LeaseDuration,
        RenewDeadline = TimeSpan.FromSeconds(4),
        RetryPeriod = TimeSpan.FromMilliseconds(500),
    };

    private static async Task<string?> HolderAsync(Kubernetes client, string ns) =>
        (await client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, ns)).Spec.HolderIdentity;

    /// <summary>Another holder writes the Lease as its own, as a replica that won an election would.</summary>
    private static async Task TakeLeaseAsync(Kubernetes client, string ns, string holder, TimeSpan duration)
    {
        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, ns);
        lease.Spec.HolderIdentity = holder;
        lease.Spec.LeaseDurationSeconds = (int)duration.TotalSeconds;
        lease.Spec.AcquireTime = DateTime.UtcNow;
        lease.Spec.RenewTime = DateTime.UtcNow;
        lease.Spec.LeaseTransitions = (lease.Spec.LeaseTransitions ?? 0) + 1;
        await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, LeaseName, ns);
    }
}
