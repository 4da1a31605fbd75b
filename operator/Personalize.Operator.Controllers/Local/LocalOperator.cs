using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Personalize.Data.Storage;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Seams;
using Personalize.Operator.Controllers.Workloads;

namespace Personalize.Operator.Controllers.Local;

/// <summary>The operator in local mode: the same host over the local adapters, without leader election.</summary>
public static class LocalOperator
{
    /// <summary>
    /// Registers the local adapters and the operator over the <see cref="LocalFolders"/>, with events written to
    /// <paramref name="progress"/>. Needs the folders, <see cref="OperatorSettings"/> and logging registered. The store
    /// and the launcher are registered as themselves too: <see cref="ManifestFolderStore.ApplyManifestsAsync"/> takes in
    /// edited manifests, and disposing the container stops every child.
    /// </summary>
    public static IServiceCollection AddPersonalizeLocalOperator(this IServiceCollection services, LocalCommands commands, TextWriter progress)
    {
        services.TryAddSingleton(sp =>
        {
            var folders = sp.GetRequiredService<LocalFolders>();
            return new ManifestFolderStore(folders.Manifests, folders.State);
        });
        services.TryAddSingleton<IResourceStore>(sp => sp.GetRequiredService<ManifestFolderStore>());
        services.TryAddSingleton<IObjectStore>(sp => new FolderObjectStore(sp.GetRequiredService<LocalFolders>().StoreRoot));
        services.TryAddSingleton(sp =>
        {
            var http = new HttpClient();
            var (folders, settings) = (sp.GetRequiredService<LocalFolders>(), sp.GetRequiredService<OperatorSettings>());
            return new ProcessWorkloadLauncher(
                commands, folders.StoreRoot, folders.State, settings, http, new RuntimeTpsMeter(http, settings.RuntimeRequestsMetric, sp.GetRequiredService<TimeProvider>()),
                sp.GetRequiredService<ILogger<ProcessWorkloadLauncher>>());
        });
        services.TryAddSingleton<IWorkloadLauncher>(sp => sp.GetRequiredService<ProcessWorkloadLauncher>());
        services.TryAddSingleton<IEventRecorder>(sp => new ConsoleEventRecorder(progress, sp.GetRequiredService<ILogger<ConsoleEventRecorder>>()));
        return services.AddPersonalizeOperator();
    }
}
