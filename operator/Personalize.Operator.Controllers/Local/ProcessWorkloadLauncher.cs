using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Personalize.Api;
using Personalize.Jobs;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Seams;
using Personalize.Operator.Controllers.Workloads;

namespace Personalize.Operator.Controllers.Local;

/// <summary>
/// The local adapter of <see cref="IWorkloadLauncher"/>: a trainer run is a child process
/// (`{trainer command} {verb} --spec {state}/runs/{run}/job.json`) and a campaign runtime is one child process on a
/// loopback port, both with PERSONALIZE_STORE_ROOT so they share the local object store (and the pods' log format,
/// when one is set, as in cluster mode). A runtime config change
/// starts the new process, waits for its /readyz, and only then stops the old one. A campaign's endpoint is its
/// <see cref="CampaignEndpoint"/>, which forwards to the process serving, so rollouts keep the URL. Children stop with
/// the launcher; a rerun finds runs absent and the controllers adopt their results or start them again. A trainer run
/// keeps its Job's limits (resources.activeDeadlineSeconds and backoffLimit, else the operator's defaults) and
/// `gpus: 0` (no CUDA device); the other resources fields need a scheduler and are logged as not applied.
/// </summary>
public sealed class ProcessWorkloadLauncher : IWorkloadLauncher, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TrainerProcess> _runs = new();
    private readonly ConcurrentDictionary<string, RuntimeProcesses> _runtimes = new();
    private readonly LocalCommands _commands;
    private readonly string _storeRoot;
    private readonly string _state;
    private readonly OperatorSettings _settings;
    private readonly RuntimeTpsMeter _tps;
    private readonly HttpClient _http;
    private readonly ILogger _logger;

    public ProcessWorkloadLauncher(LocalCommands commands, string storeRoot, string stateFolder, OperatorSettings settings, HttpClient http, RuntimeTpsMeter tps, ILogger<ProcessWorkloadLauncher> logger)
    {
        _settings = settings;
        _commands = commands;
        _storeRoot = Path.GetFullPath(storeRoot);
        _state = Path.GetFullPath(stateFolder);
        _http = http;
        _tps = tps;
        _logger = logger;
    }

    public event Action<ResourceKey>? OwnerChanged;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartTrainerRunAsync(TrainerRun run, CancellationToken cancellationToken)
    {
        if (_runs.TryGetValue(run.Name, out var existing) && !existing.IsFinished)
        {
            return;
        }

        var folder = Directory.CreateDirectory(Path.Combine(_state, "runs", run.Name)).FullName;
        var specPath = Path.Combine(folder, JobSpec.FileName);
        await File.WriteAllTextAsync(specPath, JobJson.Serialize(run.Spec), cancellationToken);
        var start = _commands.TrainerStart([run.Spec.Verb, "--spec", specPath]);
        SetEnvironment(start);
        var resources = _settings.Pods.Resolve(run.Resources);
        if (resources.Gpus == 0)
        {
            // As a pod without nvidia.com/gpu: the trainer finds no CUDA device and trains on the CPU.
            start.Environment["CUDA_VISIBLE_DEVICES"] = string.Empty;
        }

        if (NotAppliedLocally(run.Resources) is { Count: > 0 } ignored)
        {
            _logger.LogWarning(
                "Trainer run {Run}: {Fields} not applied in local mode (one machine, no scheduler): the trainer gets this machine's CPUs, memory and CUDA device if it has one",
                run.Name, string.Join(", ", ignored));
        }

        var limits = new TrainerLimits(
            TimeSpan.FromSeconds(resources.ActiveDeadlineSeconds ?? _settings.JobActiveDeadlineSeconds),
            run.Resources?.ActiveDeadlineSeconds is null ? "the default deadline (resources.activeDeadlineSeconds unset)" : "resources.activeDeadlineSeconds",
            resources.BackoffLimit ?? _settings.JobBackoffLimit);
        // The trainer prints each progress record as a JSON line: wake the owner at once, so a short training's
        // epochs reach status (and local mode's progress lines) instead of falling between two polls.
        var process = new TrainerProcess(start, Path.Combine(folder, "output.log"), limits, () => OwnerChanged?.Invoke(run.Owner.Key), line =>
        {
            if (line.StartsWith('{'))
            {
                OwnerChanged?.Invoke(run.Owner.Key);
            }
        });
        process.Start();
        _runs[run.Name] = process;
        _logger.LogInformation("Started trainer run {Run}: {Command}", run.Name, string.Join(' ', start.ArgumentList.Prepend(start.FileName)));
    }

    public Task<TrainerRunState> GetTrainerRunAsync(WorkloadOwner owner, string runName, CancellationToken cancellationToken) =>
        Task.FromResult(_runs.TryGetValue(runName, out var run) ? run.State(runName) : TrainerRunState.Absent);

    public async Task DeleteTrainerRunAsync(WorkloadOwner owner, string runName, CancellationToken cancellationToken)
    {
        if (_runs.TryRemove(runName, out var run))
        {
            await run.StopAsync();
        }

        var folder = Path.Combine(_state, "runs", runName);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public async Task<RuntimeState> ApplyRuntimeAsync(RuntimeDeployment deployment, CancellationToken cancellationToken)
    {
        var key = $"{deployment.Owner.Namespace}/{deployment.Name}";
        var runtimes = _runtimes.GetOrAdd(key, _ => new RuntimeProcesses());
        await runtimes.Gate.WaitAsync(cancellationToken);
        try
        {
            runtimes.Endpoint ??= await CampaignEndpoint.StartAsync(
                key, Path.Combine(Directory.CreateDirectory(Path.Combine(_state, "campaigns", deployment.Owner.Namespace, deployment.Name)).FullName, "endpoint-port"), cancellationToken);
            if (runtimes.Next?.Hash != deployment.ConfigHash && runtimes.Current?.Hash != deployment.ConfigHash)
            {
                if (runtimes.Next is { } abandoned)
                {
                    await abandoned.StopAsync();
                }

                runtimes.Next = await StartRuntimeAsync(deployment, cancellationToken);
            }

            if (runtimes.Next is { } next && (next.HasExited || await IsReadyAsync(next.Url, cancellationToken)))
            {
                if (next.HasExited)
                {
                    runtimes.Next = null;
                    return new RuntimeState(runtimes.Current is not null, 1, runtimes.Current is null ? 0 : 1, 0, false, runtimes.Endpoint.Url, null, null,
                        $"the runtime exited with code {next.ExitCode}: {next.LastOutput()}");
                }

                // The new one is ready: it takes over, the old one goes.
                var old = runtimes.Current;
                runtimes.Current = next;
                runtimes.Next = null;
                runtimes.Endpoint.Route(next.Url);
                if (old is not null)
                {
                    await old.StopAsync();
                }
            }

            var current = runtimes.Current;
            var ready = current is not null && !current.HasExited && await IsReadyAsync(current.Url, cancellationToken);
            var complete = ready && runtimes.Next is null && current!.Hash == deployment.ConfigHash;
            var tps = ready ? await _tps.MeasureAsync(key, new Dictionary<string, string> { ["local"] = current!.Url }, cancellationToken) : null;
            return new RuntimeState(true, 1, ready ? 1 : 0, complete ? 1 : 0, complete, runtimes.Endpoint.Url, complete ? current!.ServingVersion : null, tps,
                current?.HasExited == true ? $"the runtime exited with code {current.ExitCode}: {current.LastOutput()}" : null,
                _tps.CapacityPerReplica(key),
                _tps.ScoringMethod(key));
        }
        finally
        {
            runtimes.Gate.Release();
        }
    }

    public async Task DeleteRuntimeAsync(WorkloadOwner owner, CancellationToken cancellationToken)
    {
        if (_runtimes.TryRemove($"{owner.Namespace}/{owner.Name}", out var runtimes))
        {
            await runtimes.StopAsync();
        }

        _tps.Forget($"{owner.Namespace}/{owner.Name}");
    }

    /// <summary>Stops every child: runtimes and unfinished trainer runs.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var runtimes in _runtimes.Values)
        {
            await runtimes.StopAsync();
        }

        foreach (var run in _runs.Values)
        {
            await run.StopAsync();
        }
    }

    private async Task<RuntimeProcess> StartRuntimeAsync(RuntimeDeployment deployment, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_state, "campaigns", deployment.Owner.Namespace, deployment.Name, deployment.ConfigHash)).FullName;
        var configPath = Path.Combine(folder, RuntimeConfig.FileName);
        await File.WriteAllTextAsync(configPath, deployment.ConfigJson, cancellationToken);
        var url = $"http://127.0.0.1:{FreePort().ToString(CultureInfo.InvariantCulture)}";
        var start = _commands.RuntimeStart(["--config", configPath, "--urls", url]);
        SetEnvironment(start);
        var process = new RuntimeProcess(deployment.ConfigHash, deployment.ServingVersion, url, Path.Combine(folder, "output.log"));
        process.Start(start, () => OwnerChanged?.Invoke(deployment.Owner.Key));
        _logger.LogInformation("Started runtime for campaign {Campaign} on {Url}", deployment.Name, url);
        return process;
    }

    private async Task<bool> IsReadyAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var response = await _http.GetAsync(url + "/readyz", timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The resources fields a manifest sets that need a scheduler and a node's capacity, which one machine has not.</summary>
    private static List<string> NotAppliedLocally(JobResources? requested) => requested is null
        ? []
        : new (string Field, bool Set)[]
        {
            ("resources.gpus", requested.Gpus is > 0),
            ("resources.cpu", requested.Cpu is not null),
            ("resources.memory", requested.Memory is not null),
            ("resources.nodeSelector", requested.NodeSelector is { Count: > 0 }),
            ("resources.tolerations", requested.Tolerations is { Count: > 0 }),
        }.Where(f => f.Set).Select(f => f.Field).ToList();

    private void SetEnvironment(ProcessStartInfo start)
    {
        start.Environment["PERSONALIZE_STORE_ROOT"] = _storeRoot;
        foreach (var (name, value) in PodLogs.Environment(_settings.PodLogFormat))
        {
            start.Environment[name] = value;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A child process whose output goes to a log file (and whose last lines explain a failure).</summary>
    private class ChildProcess(string logPath)
    {
        private readonly Queue<string> _tail = new();
        private Process? _process;
        private StreamWriter? _log;

        public bool HasExited => _process?.HasExited ?? true;

        public int ExitCode => _process?.HasExited == true ? _process.ExitCode : 0;

        public DateTimeOffset Started { get; private set; }

        public DateTimeOffset? Exited { get; private set; }

        public void Start(ProcessStartInfo start, Action exited, Action<string>? printed = null)
        {
            _log = new StreamWriter(logPath, append: true, Encoding.UTF8) { AutoFlush = true };
            _process = new Process { StartInfo = start, EnableRaisingEvents = true };
            _process.OutputDataReceived += (_, e) =>
            {
                Record(e.Data);
                if (e.Data is { } line)
                {
                    printed?.Invoke(line);
                }
            };
            _process.ErrorDataReceived += (_, e) => Record(e.Data);
            _process.Exited += (_, _) =>
            {
                Exited = DateTimeOffset.UtcNow;
                exited();
            };
            Started = DateTimeOffset.UtcNow;
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string LastOutput()
        {
            lock (_tail)
            {
                return string.Join(" | ", _tail);
            }
        }

        public async Task StopAsync()
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        private void Record(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_tail)
            {
                _log?.WriteLine(line);
                _tail.Enqueue(line);
                if (_tail.Count > 5)
                {
                    _tail.Dequeue();
                }
            }
        }
    }

    /// <summary>A trainer run's Job limits: how long it may run (and which setting said so), how often a failed child is retried.</summary>
    private sealed record TrainerLimits(TimeSpan Deadline, string DeadlineSetting, int BackoffLimit);

    /// <summary>
    /// A trainer run as a Job runs its pod: a child that fails is started again up to the backoff limit (the trainer
    /// resumes from its checkpoints), and a run still going at its deadline is stopped with its whole process tree.
    /// </summary>
    private sealed class TrainerProcess(ProcessStartInfo start, string logPath, TrainerLimits limits, Action changed, Action<string> printed)
    {
        // Task.Delay's longest wait (about 49 days); a longer deadline cannot be reached by one local run anyway.
        private static readonly TimeSpan LongestDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
        private readonly Lock _gate = new();
        private readonly CancellationTokenSource _stopping = new();
        private ChildProcess _attempt = new(logPath); // Replaced by the first attempt in Start.
        private int _attempts;
        private bool _finished;
        private bool _deadlineExceeded;
        private Task _deadline = Task.CompletedTask;

        public DateTimeOffset Started { get; private set; }

        /// <summary>True once no attempt runs and none will follow.</summary>
        public bool IsFinished
        {
            get
            {
                lock (_gate)
                {
                    return _finished;
                }
            }
        }

        public void Start()
        {
            Started = DateTimeOffset.UtcNow;
            lock (_gate)
            {
                StartAttempt();
            }

            if (limits.Deadline <= LongestDelay)
            {
                _deadline = StopAtDeadlineAsync(_stopping.Token);
            }
        }

        public TrainerRunState State(string runName)
        {
            lock (_gate)
            {
                if (!_finished)
                {
                    return new TrainerRunState(TrainerRunPhase.Running, null, Started);
                }

                if (_deadlineExceeded)
                {
                    return new TrainerRunState(TrainerRunPhase.Failed,
                        $"trainer run {runName} failed: DeadlineExceeded: it ran longer than {limits.DeadlineSetting} ({limits.Deadline.TotalSeconds:0} s) and was stopped", Started, _attempt.Exited);
                }

                return _attempt.ExitCode == 0
                    ? new TrainerRunState(TrainerRunPhase.Succeeded, null, Started, _attempt.Exited)
                    : new TrainerRunState(TrainerRunPhase.Failed,
                        $"trainer run {runName} exited with code {_attempt.ExitCode} (attempt {_attempts} of {limits.BackoffLimit + 1}, resources.backoffLimit {limits.BackoffLimit}): {_attempt.LastOutput()}",
                        Started, _attempt.Exited);
            }
        }

        /// <summary>Stops the child and its children; no retry follows.</summary>
        public async Task StopAsync()
        {
            // Cancelled first: the exit that the stop causes must not start a retry.
            await _stopping.CancelAsync();
            ChildProcess attempt;
            lock (_gate)
            {
                attempt = _attempt;
            }

            await attempt.StopAsync();
            await _deadline;
        }

        // Under the gate: an attempt that exits at once reports to Exited only after it is the current one.
        private void StartAttempt()
        {
            var attempt = new ChildProcess(logPath);
            attempt.Start(start, OnAttemptExited, printed);
            _attempt = attempt;
            _attempts++;
        }

        private void OnAttemptExited()
        {
            lock (_gate)
            {
                if (_attempt.ExitCode != 0 && _attempts <= limits.BackoffLimit && !_deadlineExceeded && !_stopping.IsCancellationRequested)
                {
                    try
                    {
                        StartAttempt();
                        return;
                    }
                    catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException)
                    {
                        // The retry cannot start (the trainer's executable is gone): the run ends with the attempt that failed.
                    }
                }

                _finished = true;
            }

            changed();
        }

        private async Task StopAtDeadlineAsync(CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(limits.Deadline, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            ChildProcess attempt;
            lock (_gate)
            {
                if (_finished)
                {
                    return;
                }

                _deadlineExceeded = true;
                attempt = _attempt;
            }

            await attempt.StopAsync();
        }
    }

    private sealed class RuntimeProcess(string hash, string servingVersion, string url, string logPath) : ChildProcess(logPath)
    {
        public string Hash { get; } = hash;

        public string ServingVersion { get; } = servingVersion;

        public string Url { get; } = url;
    }

    private sealed class RuntimeProcesses
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public RuntimeProcess? Current { get; set; }

        public RuntimeProcess? Next { get; set; }

        public CampaignEndpoint? Endpoint { get; set; }

        public async Task StopAsync()
        {
            if (Endpoint is not null)
            {
                await Endpoint.DisposeAsync();
            }

            foreach (var process in new[] { Next, Current })
            {
                if (process is not null)
                {
                    await process.StopAsync();
                }
            }
        }
    }
}
