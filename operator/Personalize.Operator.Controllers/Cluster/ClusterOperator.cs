using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Seams;
using Personalize.Operator.Controllers.Workloads;

namespace Personalize.Operator.Controllers.Cluster;

/// <summary>The operator in cluster mode: the host over the Kubernetes adapters, with Lease leader election when enabled.</summary>
public static class ClusterOperator
{
    /// <summary>
    /// Registers the Kubernetes adapters and the operator. Needs an IKubernetes client, an IObjectStore,
    /// <see cref="OperatorSettings"/> and logging registered; <paramref name="informers"/> by default resync at the
    /// settings' period.
    /// </summary>
    public static IServiceCollection AddPersonalizeClusterOperator(this IServiceCollection services, InformerOptions? informers = null)
    {
        services.TryAddSingleton(sp => informers ?? new InformerOptions { ResyncPeriod = sp.GetRequiredService<OperatorSettings>().ResyncPeriod });
        services.TryAddSingleton<IResourceStore>(sp => new KubernetesResourceStore(
            sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<OperatorSettings>().WatchNamespaces, sp.GetRequiredService<InformerOptions>(),
            sp.GetRequiredService<OperatorMetrics>(), sp.GetRequiredService<ILoggerFactory>()));
        // Scrapes every campaign's runtime pods for the requests they served (observed TPS).
        services.TryAddSingleton(sp => new RuntimeTpsMeter(new HttpClient(), sp.GetRequiredService<OperatorSettings>().RuntimeRequestsMetric, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IWorkloadLauncher, KubernetesWorkloadLauncher>();
        services.TryAddSingleton<IEventRecorder>(sp => new KubernetesEventRecorder(
            sp.GetRequiredService<IKubernetes>(), "personalize-operator", sp.GetRequiredService<ILogger<KubernetesEventRecorder>>()));
        services.TryAddSingleton<ILeadership, LeaseLeadership>();
        return services.AddPersonalizeOperator();
    }
}
