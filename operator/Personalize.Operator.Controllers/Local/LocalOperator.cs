using Microsoft.Extensions.Logging;
using Personalize.Data.Storage;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Workloads;

namespace Personalize.Operator.Controllers.Local;

/// <summary>
/// The operator in local mode: the same host over the local adapters. Resources from <paramref name="manifests"/>
/// (YAML), statuses and runs under <paramref name="state"/>, the object store a folder at <paramref name="storeRoot"/>
/// (s3://bucket/key is storeRoot/bucket/key, as for the children via PERSONALIZE_STORE_ROOT).
/// </summary>
public sealed class LocalOperator : IAsyncDisposable
{
    private LocalOperator(OperatorHost host, ManifestFolderStore store, ProcessWorkloadLauncher launcher)
    {
        Host = host;
        Store = store;
        Launcher = launcher;
    }

    public OperatorHost Host { get; }

    /// <summary>Call <see cref="ManifestFolderStore.ApplyManifestsAsync"/> to take in edited manifests.</summary>
    public ManifestFolderStore Store { get; }

    public ProcessWorkloadLauncher Launcher { get; }

    public static LocalOperator Create(string manifests, string state, string storeRoot, OperatorSettings settings, LocalCommands commands, TextWriter progress, ILoggerFactory loggers)
    {
        var store = new ManifestFolderStore(manifests, state);
        var http = new HttpClient();
        var launcher = new ProcessWorkloadLauncher(commands, storeRoot, state, settings.PodLogFormat, http, new RuntimeTpsMeter(http, settings.RuntimeRequestsMetric, TimeProvider.System), loggers.CreateLogger<ProcessWorkloadLauncher>());
        var events = new ConsoleEventRecorder(progress, loggers.CreateLogger<ConsoleEventRecorder>());
        var host = new OperatorHost(store, launcher, events, new FolderObjectStore(storeRoot), settings with { LeaderElection = false }, loggers);
        return new LocalOperator(host, store, launcher);
    }

    public Task RunAsync(CancellationToken cancellationToken) => Host.RunAsync(cancellationToken);

    public ValueTask DisposeAsync() => Launcher.DisposeAsync();
}
