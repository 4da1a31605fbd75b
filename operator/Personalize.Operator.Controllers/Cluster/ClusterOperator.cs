using k8s;
using Microsoft.Extensions.Logging;
using Personalize.Data.Storage;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Workloads;

namespace Personalize.Operator.Controllers.Cluster;

/// <summary>The operator in cluster mode: the host over the Kubernetes adapters, with Lease leader election when enabled.</summary>
public static class ClusterOperator
{
    public static OperatorHost Create(
        IKubernetes client, IObjectStore objects, OperatorSettings settings, ILoggerFactory loggers,
        InformerOptions? informers = null, ControllerOptions? controllers = null, HttpClient? scrapeClient = null)
    {
        informers ??= new InformerOptions { ResyncPeriod = settings.ResyncPeriod };
        var metrics = new OperatorMetrics();
        var store = new KubernetesResourceStore(client, settings.WatchNamespaces, informers, metrics, loggers);
        var tps = new RuntimeTpsMeter(scrapeClient ?? new HttpClient(), settings.RuntimeRequestsMetric, TimeProvider.System);
        var launcher = new KubernetesWorkloadLauncher(client, settings, informers, metrics, tps, loggers.CreateLogger<KubernetesWorkloadLauncher>());
        var events = new KubernetesEventRecorder(client, "personalize-operator", loggers.CreateLogger<KubernetesEventRecorder>());
        var leadership = settings.LeaderElection ? new LeaseLeadership(client, settings, loggers.CreateLogger<LeaseLeadership>()) : null;
        return new OperatorHost(store, launcher, events, objects, settings, loggers, controllers, leadership, metrics: metrics);
    }
}
