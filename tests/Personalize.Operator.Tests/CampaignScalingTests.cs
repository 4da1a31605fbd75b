using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Personalize.Api;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>
/// The operator's scaling loop end to end: it scrapes each ready runtime pod's /metrics at the pod's IP and the runtime
/// port, turns the request counter into observed TPS, and sets the Deployment's replicas and the PodDisruptionBudget.
/// No kubelet runs here, so the test plays it: one pod object whose IP is 127.0.0.1, and a /metrics endpoint on the
/// runtime port the operator is told.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class CampaignScalingTests(OperatorEnvironment env)
{
    [Fact]
    public async Task ObservedLoad_ScrapedFromTheRuntimePods_ScalesReplicasUpAndBackDown_AndTheDisruptionBudgetFollows_WithFakeKubeletAndTrainer()
    {
        using var metrics = new RuntimeMetricsEndpoint(FreePort.Next());
        using var cluster = await TestCluster.CreateAsync(env, "scale");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns, s => s with { RuntimePort = metrics.Port, TpsPerReplica = 300, MaxReplicas = 4, ScaleDownStabilization = TimeSpan.Zero });
        await cluster.TrainedVersionAsync();

        // ceil(301 / 300) = 2 replicas at least; a drain may evict one of them at a time.
        await cluster.StartCampaignAsync(Samples.Campaign(ns, minTps: 301));
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);
        await AssertReplicasAsync(cluster, 2, maxUnavailable: 1);
        await StartRuntimePodAsync_AsFakeKubelet(cluster);

        // 1,000 requests a second is above 80% of two replicas' capacity: up to the maximum of 4, and the budget lets a
        // drain evict the two above the floor.
        metrics.RequestsPerSecond = 1000;
        // The observed rate is a scrape-to-scrape rate, so it reaches the load a scrape or two after the load starts.
        await cluster.WaitForAsync<Campaign>(
            "shop", c => c.Status.DesiredReplicas == 4 && c.Status.ObservedTPS is > 500 and < 2000, "scaled up to maxReplicas, observing about the load sent");
        await AssertReplicasAsync(cluster, 4, maxUnavailable: 2);

        // Load gone: back to the floor minProvisionedTPS sets, never below.
        metrics.RequestsPerSecond = 0;
        await cluster.WaitForAsync<Campaign>("shop", c => c.Status.DesiredReplicas == 2 && c.Status.ObservedTPS < 1, "scaled back down to the floor");
        await AssertReplicasAsync(cluster, 2, maxUnavailable: 1);
    }

    private static async Task AssertReplicasAsync(TestCluster cluster, int replicas, int maxUnavailable)
    {
        await Wait.UntilAsync(
            async t => (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", cluster.Namespace, cancellationToken: t)).Spec.Replicas == replicas,
            TimeSpan.FromSeconds(40), $"the Deployment at {replicas} replicas");
        // The test API server serves policy/v1beta1 (the operator applies whichever version the server has).
        var budget = await cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync<V1PodDisruptionBudget>("policy", "v1beta1", cluster.Namespace, "poddisruptionbudgets", "shop");
        Assert.Null(budget.Spec.MinAvailable);
        Assert.Equal(maxUnavailable.ToString(CultureInfo.InvariantCulture), budget.Spec.MaxUnavailable.Value);
        Assert.Equal("shop", budget.Spec.Selector.MatchLabels["personalize.io/campaign"]);
    }

    /// <summary>Plays kubelet: one pod of the runtime's template, running and ready at 127.0.0.1.</summary>
    private static async Task StartRuntimePodAsync_AsFakeKubelet(TestCluster cluster)
    {
        var ns = cluster.Namespace;
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns);
        // The service-account admission needs the namespace's default account (the controller-manager's job; none runs here).
        await cluster.Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, ns);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod { Metadata = new V1ObjectMeta { Name = "shop-runtime-0", Labels = deployment.Spec.Template.Metadata.Labels }, Spec = deployment.Spec.Template.Spec }, ns);
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var patch = $$$"""{"status":{"phase":"Running","podIP":"127.0.0.1","podIPs":[{"ip":"127.0.0.1"}],"conditions":[{"type":"Ready","status":"True","lastTransitionTime":"{{{now}}}"}]}}""";
        await cluster.Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "shop-runtime-0", ns);
    }

    /// <summary>A runtime pod's /metrics as the operator scrapes it: the request counter, growing at a rate the test sets.</summary>
    private sealed class RuntimeMetricsEndpoint : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Lock _gate = new();
        private readonly Task _serving;
        private double _count;
        private double _rate;
        private TimeSpan _at;

        public RuntimeMetricsEndpoint(int port)
        {
            Port = port;
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public int Port { get; }

        public double RequestsPerSecond
        {
            set
            {
                lock (_gate)
                {
                    Advance();
                    _rate = value;
                }
            }
        }

        public void Dispose()
        {
            _listener.Close();
            _serving.Wait(TimeSpan.FromSeconds(5));
        }

        private void Advance()
        {
            var now = _clock.Elapsed;
            _count += _rate * (now - _at).TotalSeconds;
            _at = now;
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                double count;
                lock (_gate)
                {
                    Advance();
                    count = _count;
                }

                var body = Encoding.UTF8.GetBytes(
                    "# TYPE personalize_runtime_requests_total counter\n" +
                    $"personalize_runtime_requests_total{{status=\"200\"}} {Math.Floor(count).ToString(CultureInfo.InvariantCulture)}\n");
                context.Response.ContentType = "text/plain; version=0.0.4";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }
    }
}
