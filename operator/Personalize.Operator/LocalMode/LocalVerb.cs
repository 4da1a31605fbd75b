using Microsoft.Extensions.Logging;
using Personalize.Data.Storage;
using Personalize.Gateway;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Local;

namespace Personalize.Operator.LocalMode;

/// <summary>
/// `personalize local &lt;folder&gt; [--state &lt;dir&gt;] [--store &lt;dir&gt;]`: the real controllers over a folder of YAML
/// manifests, the trainer and runtime as child processes, a local folder as object store. It prints progress, then
/// curl commands once every campaign serves; edits to the folder are applied as `kubectl apply --prune` would;
/// Ctrl-C (or SIGTERM) stops the controllers and every child.
/// </summary>
public static class LocalVerb
{
    private static readonly TimeSpan SummaryCheck = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ManifestDebounce = TimeSpan.FromMilliseconds(500);

    public const string UsageText = "personalize local <manifest-folder> [--state <dir>] [--store <dir>] [--api-port <port>]";

    /// <summary>The Personalize API's port unless --api-port or PERSONALIZE_API_PORT says otherwise (0: any free port).</summary>
    public const int DefaultApiPort = 8642;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0].StartsWith("--", StringComparison.Ordinal) || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine(args.Count == 0 || args[0].StartsWith("--", StringComparison.Ordinal)
                ? $"usage: {UsageText}"
                : $"personalize local: manifest folder '{args[0]}' does not exist");
            return 2;
        }

        var manifests = Path.GetFullPath(args[0]);
        var state = Path.GetFullPath(Option(args, "--state") ?? Path.Combine(Path.GetDirectoryName(manifests)!, Path.GetFileName(manifests) + "-state"));
        var storeRoot = Path.GetFullPath(Option(args, "--store") ?? Environment.GetEnvironmentVariable("PERSONALIZE_STORE_ROOT") ?? Path.Combine(state, "store"));
        if (state.StartsWith(manifests + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"personalize local: the state folder must be outside the manifest folder ({state})");
            return 2;
        }

        // Children find the store through the same variable (docs/contracts.md, contract 1).
        Environment.SetEnvironmentVariable("PERSONALIZE_STORE_ROOT", storeRoot);
        var settings = LocalSettings();
        // Progress lines are the voice of local mode; the log adds only warnings and errors, and not the lifecycle
        // events the progress lines already say.
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter(typeof(ConsoleEventRecorder).FullName, LogLevel.None));
        using var stop = new ShutdownSignal();

        var files = new FolderObjectStore(storeRoot);
        string ReportFile(string uri) => S3Uri.TryParse(uri, out var parsed) ? files.PathOf(parsed) : uri;
        var reporter = new ProgressReporter(Console.Out, TimeProvider.System, ReportFile);
        reporter.Write($"resources from {manifests}; state in {state}; object store {storeRoot}");
        await using var local = LocalOperator.Create(
            manifests, state, storeRoot, settings, LocalCommands.FromEnvironment(Environment.GetEnvironmentVariable), TextWriter.Null, loggers);
        local.Store.Changed += reporter.OnChanged;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var summary = new ServingSummary(local.Store, http, ReportFile);
        using var watcher = WatchManifests(manifests, local.Store, reporter, stop.Token);
        await using var gateway = await StartGatewayAsync(local.Store, ApiPort(args), loggers, stop.Token);
        var api = $"Personalize API (boto3 endpoint_url for personalize, personalize-runtime, personalize-events): {gateway.Endpoint.ToString().TrimEnd('/')}";
        reporter.Write($"{api}; open: signatures are not checked and every call acts in namespace default");

        var operatorTask = local.RunAsync(stop.Token);
        var exit = 0;
        try
        {
            await PrintSummaryWhenServingAsync(summary, reporter, api, gateway.Endpoint.ToString().TrimEnd('/'), operatorTask, stop.Token);
            await operatorTask;
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            // Ctrl-C: the normal way out.
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"personalize local: {ex.Message}");
            exit = 1;
        }

        reporter.Write("stopping the trainer and runtime processes");
        return exit;
    }

    // On one machine a person runs it: open, on loopback. The default port keeps a notebook's endpoint_url stable
    // between runs; when another program holds it, any free port is taken and printed.
    private static async Task<GatewayServer> StartGatewayAsync(ManifestFolderStore store, int port, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            return await GatewayServer.StartAsync(store, new GatewayOptions { Port = port }, loggers, cancellationToken);
        }
        catch (IOException) when (port == DefaultApiPort)
        {
            return await GatewayServer.StartAsync(store, new GatewayOptions { Port = 0 }, loggers, cancellationToken);
        }
    }

    private static string Boto3Hint(string endpoint) =>
        $"  boto3.client(\"personalize\", endpoint_url=\"{endpoint}\", region_name=\"us-east-1\", aws_access_key_id=\"local\", aws_secret_access_key=\"local\")";

    private static int ApiPort(IReadOnlyList<string> args) =>
        int.TryParse(Option(args, "--api-port") ?? Environment.GetEnvironmentVariable("PERSONALIZE_API_PORT"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? port
            : DefaultApiPort;

    private static OperatorSettings LocalSettings()
    {
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal);
        var settings = OperatorSettings.FromEnvironment(environment);
        // A person is watching: look at running trainings and runtimes every 2 s rather than the cluster's 15 s.
        return environment.ContainsKey("PERSONALIZE_POLL_SECONDS") ? settings : settings with { PollInterval = TimeSpan.FromSeconds(2) };
    }

    // Prints the curl commands whenever the set of serving campaigns changes (first time all are ACTIVE, and after a rollout).
    private static async Task PrintSummaryWhenServingAsync(ServingSummary summary, ProgressReporter reporter, string api, string endpoint, Task operatorTask, CancellationToken cancellationToken)
    {
        string? printed = null;
        while (!operatorTask.IsCompleted)
        {
            await Task.WhenAny(operatorTask, Task.Delay(SummaryCheck, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            if (summary.ServingFingerprint() is var fingerprint && fingerprint != printed && await summary.AllServingAsync(cancellationToken))
            {
                printed = fingerprint;
                reporter.Write(await summary.RenderAsync(cancellationToken) + api + "\n" + Boto3Hint(endpoint) + "\n");
            }
        }
    }

    // Edited, added or removed manifests are applied a moment after the last change.
    private static FileSystemWatcher WatchManifests(string folder, ManifestFolderStore store, ProgressReporter reporter, CancellationToken cancellationToken)
    {
        var watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = true };
        var pending = 0;
        void OnChange(object sender, FileSystemEventArgs e)
        {
            if (Interlocked.Exchange(ref pending, 1) == 1)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await Task.Delay(ManifestDebounce, cancellationToken);
                    Interlocked.Exchange(ref pending, 0);
                    await store.ApplyManifestsAsync(cancellationToken);
                    reporter.Write($"applied the manifests in {folder} again");
                }
                catch (OperationCanceledException)
                {
                    // Stopping.
                }
                catch (Exception ex)
                {
                    Interlocked.Exchange(ref pending, 0);
                    reporter.Write($"manifests not applied: {ex.Message}");
                }
            }, CancellationToken.None);
        }

        watcher.Changed += OnChange;
        watcher.Created += OnChange;
        watcher.Deleted += OnChange;
        watcher.Renamed += OnChange;
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private static string? Option(IReadOnlyList<string> args, string name)
    {
        for (var i = 1; i < args.Count - 1; i++)
        {
            if (args[i] == name)
            {
                return args[i + 1];
            }
        }

        return null;
    }
}
