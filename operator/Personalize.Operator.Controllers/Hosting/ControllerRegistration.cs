using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Personalize.Api;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Reconcilers;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.Hosting;

/// <summary>What the host needs of one kind's controller, typed by its kind: a runner, the keys to start with, phase counts.</summary>
public interface IControllerRegistration
{
    string Kind { get; }

    IControllerRunner CreateRunner(ControllerContext context, OperatorMetrics metrics, ControllerOptions options);

    IEnumerable<ResourceKey> Keys(IResourceStore store);

    void CountPhases(IResourceStore store, OperatorMetrics metrics);
}

/// <summary>The registration of <typeparamref name="T"/>'s controller, resolved from the container.</summary>
public sealed class ControllerRegistration<T>(IEntityController<T> controller) : IControllerRegistration
    where T : class, IPersonalizeResource
{
    public string Kind { get; } = ApiGroup.EntityOf<T>().Kind;

    public IControllerRunner CreateRunner(ControllerContext context, OperatorMetrics metrics, ControllerOptions options) =>
        new EntityControllerRunner<T>(context.Store, controller, context.Events, context.Status, metrics, options, context.Loggers.CreateLogger($"Personalize.Operator.{Kind}"));

    public IEnumerable<ResourceKey> Keys(IResourceStore store) => store.List<T>().Select(r => ResourceKey.Of(r));

    public void CountPhases(IResourceStore store, OperatorMetrics metrics)
    {
        foreach (var phase in Phases.All.Append("none"))
        {
            metrics.ResourcesByPhase.WithLabels(Kind, phase).Set(0);
        }

        foreach (var group in store.List<T>().GroupBy(r => r.CommonStatus.Phase ?? "none"))
        {
            metrics.ResourcesByPhase.WithLabels(Kind, group.Key).Set(group.Count());
        }
    }
}

/// <summary>Registers controllers per kind, as KubeOps' AddController does.</summary>
public static class ControllerServiceCollectionExtensions
{
    /// <summary>The controller of every Personalize kind (each takes the <see cref="ControllerContext"/> registered beside it).</summary>
    public static IServiceCollection AddPersonalizeControllers(this IServiceCollection services) => services
        .AddController<DatasetGroup, DatasetGroupController>()
        .AddController<Schema, SchemaController>()
        .AddController<Dataset, DatasetController>()
        .AddController<DatasetImportJob, DatasetImportJobController>()
        .AddController<Solution, SolutionController>()
        .AddController<SolutionVersion, SolutionVersionController>()
        .AddController<Campaign, CampaignController>()
        .AddController<BatchInferenceJob, BatchInferenceJobController>()
        .AddController<EventTracker, EventTrackerController>()
        .AddController<Filter, FilterController>();

    public static IServiceCollection AddController<TEntity, TController>(this IServiceCollection services)
        where TEntity : class, IPersonalizeResource
        where TController : class, IEntityController<TEntity>
    {
        services.AddSingleton<IEntityController<TEntity>, TController>();
        services.AddSingleton<IControllerRegistration, ControllerRegistration<TEntity>>();
        return services;
    }
}
