using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Reconcilers;

namespace Personalize.Operator.Controllers.Hosting;

/// <summary>
/// The operator in the application's container, as KubeOps's AddKubernetesOperator does: the controllers, their
/// context and the <see cref="OperatorHost"/> that runs them. A mode adds its adapters behind the seams
/// (AddPersonalizeClusterOperator, AddPersonalizeLocalOperator).
/// </summary>
public static class OperatorServiceCollectionExtensions
{
    /// <summary>
    /// Needs <see cref="OperatorSettings"/>, the seams (IResourceStore, IWorkloadLauncher, IEventRecorder), an
    /// IObjectStore and logging registered; an ILeadership is used when the settings turn leader election on.
    /// </summary>
    public static IServiceCollection AddPersonalizeOperator(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OperatorMetrics>();
        services.TryAddSingleton(sp => new ControllerOptions { Workers = sp.GetRequiredService<OperatorSettings>().Workers });
        services.TryAddSingleton<StatusWriter>();
        services.TryAddSingleton<ControllerContext>();
        services.AddPersonalizeControllers();
        services.TryAddSingleton<OperatorHost>();
        return services;
    }
}
