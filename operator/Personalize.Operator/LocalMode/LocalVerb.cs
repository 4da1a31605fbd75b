using System.CommandLine;
using Microsoft.Extensions.Options;
using Personalize.Cli;
using Personalize.Data.Storage;
using Personalize.Gateway;
using Personalize.Operator.ClusterMode;
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

    public static Command Create(Option<string?> logFormat)
    {
        var manifests = new Argument<string>("manifest-folder") { Description = "A folder of YAML manifests (Personalize resources), applied as kubectl apply --prune would, again on every edit." };
        var state = new Option<string?>("--state") { Description = "Where resources' statuses and runs are kept (default: <manifest-folder>-state beside it).", HelpName = "dir" };
        var store = new Option<string?>("--store") { Description = $"The local object store: s3://bucket/key is <store>/bucket/key (default: {LocalSettings.StoreRootVariable}, else <state>/store).", HelpName = "dir" };
        var apiPort = new Option<int?>("--api-port") { Description = $"The Personalize API's port; 0 takes any free one (default: {LocalSettings.ApiPortVariable}, else {LocalSettings.DefaultApiPort}).", HelpName = "port" };
        var command = new Command("local", "Run the same controllers on this machine over a folder of manifests, with the trainer and runtime as child processes; Ctrl-C stops everything.")
        {
            manifests, state, store, apiPort,
        };
        command.SetAction((parsed, _) => RunAsync(
            services => services.AddOptions<LocalSettings>()
                .Configure<IConfiguration>((settings, configuration) =>
                {
                    settings.Manifests = Path.GetFullPath(parsed.GetRequiredValue(manifests));
                    settings.State = Path.GetFullPath(parsed.GetValue(state) ?? Path.Combine(Path.GetDirectoryName(settings.Manifests)!, Path.GetFileName(settings.Manifests) + "-state"));
                    settings.StoreRoot = Path.GetFullPath(parsed.GetValue(store) ?? configuration[LocalSettings.StoreRootVariable] ?? Path.Combine(settings.State, "store"));
                    if ((parsed.GetValue(apiPort)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? configuration[LocalSettings.ApiPortVariable]) is { Length: > 0 } port)
                    {
                        settings.ApiPort = int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : -1;
                    }
                })
                .Validate(s => Directory.Exists(s.Manifests), "<manifest-folder>: the manifest folder does not exist")
                .Validate(s => !s.StateInsideManifests, "--state: the state folder must be outside the manifest folder")
                .Validate(s => s.ApiPort is >= 0 and <= 65535, $"--api-port ({LocalSettings.ApiPortVariable}) must be a port number between 0 and 65535 (0: any free port)")
                .ValidateOnStart(),
            parsed.GetValue(logFormat)));
        return command;
    }

    private static async Task<int> RunAsync(Action<IServiceCollection> addSettings, string? logFormat)
    {
        // Progress lines are the voice of local mode; the log adds only warnings and errors, and not the lifecycle
        // events the progress lines already say.
        var builder = CliHost.CreateBuilder(logFormat, ConsoleLogs.Simple);
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter(typeof(ConsoleEventRecorder).FullName, LogLevel.None);
        addSettings(builder.Services);
        builder.Services.AddOperatorSettings(adjust: LocalOperatorSettings);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<LocalSettings>>().Value.Folders);
        builder.Services.AddPersonalizeLocalOperator(LocalCommands.FromEnvironment(Environment.GetEnvironmentVariable), TextWriter.Null);
        using var host = builder.Build();
        if (await ValidatedStart.OptionsFailureAsync(host.Services, "personalize local") is { } badOptions)
        {
            return badOptions;
        }

        await host.StartAsync();
        var exit = await RunLocalAsync(host.Services, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        await host.StopAsync(CancellationToken.None);
        return exit;
    }

    private static async Task<int> RunLocalAsync(IServiceProvider services, CancellationToken stop)
    {
        var (manifests, state, storeRoot) = services.GetRequiredService<LocalFolders>();
        // Children find the store through the same variable (docs/contracts.md, contract 1).
        Environment.SetEnvironmentVariable(LocalSettings.StoreRootVariable, storeRoot);

        var files = new FolderObjectStore(storeRoot);
        string ReportFile(string uri) => S3Uri.TryParse(uri, out var parsed) ? files.PathOf(parsed) : uri;
        var reporter = new ProgressReporter(Console.Out, TimeProvider.System, ReportFile);
        reporter.Write($"resources from {manifests}; state in {state}; object store {storeRoot}");
        var store = services.GetRequiredService<ManifestFolderStore>();
        store.Changed += reporter.OnChanged;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var summary = new ServingSummary(store, http, ReportFile);
        using var watcher = WatchManifests(manifests, store, reporter, stop);
        await using var gateway = await StartGatewayAsync(store, services.GetRequiredService<IOptions<LocalSettings>>().Value.ApiPort, services.GetRequiredService<ILoggerFactory>(), stop);
        var api = $"Personalize API (boto3 endpoint_url for personalize, personalize-runtime, personalize-events): {gateway.Endpoint.ToString().TrimEnd('/')}";
        reporter.Write($"{api}; open: signatures are not checked and every call acts in namespace default");

        var operatorTask = services.GetRequiredService<OperatorHost>().RunAsync(stop);
        var exit = 0;
        try
        {
            await PrintSummaryWhenServingAsync(summary, reporter, api, gateway.Endpoint.ToString().TrimEnd('/'), operatorTask, stop);
            await operatorTask;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
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
        catch (IOException) when (port == LocalSettings.DefaultApiPort)
        {
            return await GatewayServer.StartAsync(store, new GatewayOptions { Port = 0 }, loggers, cancellationToken);
        }
    }

    private static string Boto3Hint(string endpoint) =>
        $"  boto3.client(\"personalize\", endpoint_url=\"{endpoint}\", region_name=\"us-east-1\", aws_access_key_id=\"local\", aws_secret_access_key=\"local\")";

    // A person is watching: look at running trainings and runtimes every 2 s rather than the cluster's 15 s.
    private static OperatorSettings LocalOperatorSettings(SettingVariables variables, OperatorSettings settings) =>
        variables.Values.ContainsKey("PERSONALIZE_POLL_SECONDS") ? settings : settings with { PollInterval = TimeSpan.FromSeconds(2) };

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
}
