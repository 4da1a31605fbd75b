using System.Globalization;

namespace Personalize.Operator.Controllers.Hosting;

/// <summary>
/// Everything an operator deployment tunes, read from the environment (the Helm chart sets these); `personalize run`
/// has a flag for each (--trainer-image=...) that overrides it. Defaults suit a small cluster.
/// </summary>
public sealed record OperatorSettings
{
    /// <summary>PERSONALIZE_BUCKET: the bucket every dataset group's data, models and job results live in.</summary>
    public string Bucket { get; init; } = "personalize";

    /// <summary>PERSONALIZE_TRAINER_IMAGE.</summary>
    public string TrainerImage { get; init; } = "ghcr.io/personalize-operator/personalize-trainer:latest";

    /// <summary>PERSONALIZE_RUNTIME_IMAGE.</summary>
    public string RuntimeImage { get; init; } = "ghcr.io/personalize-operator/personalize-runtime:latest";

    /// <summary>PERSONALIZE_S3_SECRET: a Secret in each resource's namespace whose keys (AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, optional AWS_REGION) become the env of trainer and runtime pods.</summary>
    public string S3SecretName { get; init; } = "personalize-s3";

    /// <summary>PERSONALIZE_S3_ENDPOINT as the pods must reach it (in-cluster MinIO URL); passed to them.</summary>
    public string? S3Endpoint { get; init; }

    /// <summary>PERSONALIZE_TPS_PER_REPLICA: requests/s one runtime replica (one CPU core) sustains: 300, the runtime benchmark's figure for catalogues up to 100k items at hidden 64 (docs/benchmarks.md).</summary>
    public double TpsPerReplica { get; init; } = 300;

    /// <summary>PERSONALIZE_MAX_REPLICAS: upper bound when scaling a campaign on observed load.</summary>
    public int MaxReplicas { get; init; } = 20;

    /// <summary>PERSONALIZE_SCALE_DOWN_STABILIZATION_SECONDS: how long after a campaign scaled up it may scale down.</summary>
    public TimeSpan ScaleDownStabilization { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>PERSONALIZE_AUTO_UPDATE_SECONDS: how often a campaign serving an aws-user-personalization or
    /// aws-hrnn-coldstart FULL version looks for new data and, when there is some, updates its model (Personalize: 2 hours).</summary>
    public TimeSpan AutoUpdateInterval { get; init; } = TimeSpan.FromHours(2);

    /// <summary>PERSONALIZE_RUNTIME_PORT: the port runtime pods listen on (and the Service targets).</summary>
    public int RuntimePort { get; init; } = 8080;

    /// <summary>PERSONALIZE_RUNTIME_REQUESTS_METRIC: the counter scraped from runtime pods' /metrics to compute observed TPS.</summary>
    public string RuntimeRequestsMetric { get; init; } = "personalize_runtime_requests_total";

    /// <summary>PERSONALIZE_JOB_BACKOFF_LIMIT: trainer pod retries when a resource does not say.</summary>
    public int JobBackoffLimit { get; init; } = 2;

    /// <summary>PERSONALIZE_JOB_DEADLINE_SECONDS: trainer Job deadline when a resource does not say.</summary>
    public long JobActiveDeadlineSeconds { get; init; } = 86400;

    /// <summary>PERSONALIZE_WATCH_NAMESPACES (comma-separated): only these namespaces are listed, watched and
    /// reconciled, so the operator needs a Role in each and no ClusterRole; every namespace when empty.</summary>
    public IReadOnlyList<string> WatchNamespaces { get; init; } = [];

    /// <summary>PERSONALIZE_LEADER_ELECTION (true/false).</summary>
    public bool LeaderElection { get; init; } = true;

    /// <summary>POD_NAMESPACE: where the leader Lease lives.</summary>
    public string LeaseNamespace { get; init; } = "default";

    /// <summary>PERSONALIZE_LEASE_NAME.</summary>
    public string LeaseName { get; init; } = "personalize-operator-leader";

    /// <summary>POD_NAME (else the host name): this replica's identity in the Lease.</summary>
    public string Identity { get; init; } = Environment.MachineName;

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>PERSONALIZE_RESYNC_SECONDS: how often every resource is reconciled even with no change.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>PERSONALIZE_POLL_SECONDS: how often running jobs and campaigns are looked at (progress, TPS).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>PERSONALIZE_WORKERS: concurrent reconciles per kind.</summary>
    public int Workers { get; init; } = 4;

    /// <summary>PERSONALIZE_RUNTIME_AUTH (true/false): in cluster mode each campaign's runtime requires a bearer token
    /// from a Secret the operator manages (rotated on the personalize.io/rotate-token annotation).</summary>
    public bool RuntimeAuth { get; init; } = true;

    /// <summary>PERSONALIZE_ALLOWED_PREFIXES: where each namespace's jobs may read and write; null confines nothing.</summary>
    public DataLocationPolicy? DataLocations { get; init; }

    /// <summary>Trainer and runtime pod defaults the chart sets (see <see cref="PodDefaults"/>).</summary>
    public PodDefaults Pods { get; init; } = new();

    /// <summary>PERSONALIZE_POD_LOG_FORMAT (simple or json): the console log format of every trainer and runtime the
    /// operator starts, passed as their Logging__Console__FormatterName, so a cluster's log collector reads one format;
    /// null leaves each its own default.</summary>
    public string? PodLogFormat { get; init; }

    /// <summary>PERSONALIZE_METRICS_PORT: /metrics, /healthz and /readyz; 0 picks a free port.</summary>
    public int MetricsPort { get; init; } = 8080;

    public static OperatorSettings FromEnvironment(IReadOnlyDictionary<string, string> env)
    {
        var s = new OperatorSettings();
        string? Get(string name) => env.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;
        double Seconds(string name, double fallback) => Get(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return s with
        {
            Bucket = Get("PERSONALIZE_BUCKET") ?? s.Bucket,
            TrainerImage = Get("PERSONALIZE_TRAINER_IMAGE") ?? s.TrainerImage,
            RuntimeImage = Get("PERSONALIZE_RUNTIME_IMAGE") ?? s.RuntimeImage,
            S3SecretName = Get("PERSONALIZE_S3_SECRET") ?? s.S3SecretName,
            S3Endpoint = Get("PERSONALIZE_S3_ENDPOINT"),
            TpsPerReplica = Seconds("PERSONALIZE_TPS_PER_REPLICA", s.TpsPerReplica),
            MaxReplicas = (int)Seconds("PERSONALIZE_MAX_REPLICAS", s.MaxReplicas),
            ScaleDownStabilization = TimeSpan.FromSeconds(Seconds("PERSONALIZE_SCALE_DOWN_STABILIZATION_SECONDS", s.ScaleDownStabilization.TotalSeconds)),
            // Zero or less would check every campaign's store on every reconcile.
            AutoUpdateInterval = Seconds("PERSONALIZE_AUTO_UPDATE_SECONDS", s.AutoUpdateInterval.TotalSeconds) is var autoUpdate and > 0
                ? TimeSpan.FromSeconds(autoUpdate)
                : throw new ArgumentException("must be more than 0 seconds"),
            RuntimePort = (int)Seconds("PERSONALIZE_RUNTIME_PORT", s.RuntimePort),
            RuntimeRequestsMetric = Get("PERSONALIZE_RUNTIME_REQUESTS_METRIC") ?? s.RuntimeRequestsMetric,
            JobBackoffLimit = (int)Seconds("PERSONALIZE_JOB_BACKOFF_LIMIT", s.JobBackoffLimit),
            JobActiveDeadlineSeconds = (long)Seconds("PERSONALIZE_JOB_DEADLINE_SECONDS", s.JobActiveDeadlineSeconds),
            WatchNamespaces = Get(WatchedNamespaces.Variable) is { } watched ? WatchedNamespaces.Parse(watched) : s.WatchNamespaces,
            LeaderElection = Get("PERSONALIZE_LEADER_ELECTION") is not { } le || bool.Parse(le),
            RuntimeAuth = Get("PERSONALIZE_RUNTIME_AUTH") is not { } auth || bool.Parse(auth),
            LeaseNamespace = Get("POD_NAMESPACE") ?? s.LeaseNamespace,
            LeaseName = Get("PERSONALIZE_LEASE_NAME") ?? s.LeaseName,
            Identity = Get("POD_NAME") ?? s.Identity,
            ResyncPeriod = TimeSpan.FromSeconds(Seconds("PERSONALIZE_RESYNC_SECONDS", s.ResyncPeriod.TotalSeconds)),
            PollInterval = TimeSpan.FromSeconds(Seconds("PERSONALIZE_POLL_SECONDS", s.PollInterval.TotalSeconds)),
            Workers = (int)Seconds("PERSONALIZE_WORKERS", s.Workers),
            MetricsPort = (int)Seconds("PERSONALIZE_METRICS_PORT", s.MetricsPort),
            PodLogFormat = Get("PERSONALIZE_POD_LOG_FORMAT") is { } format ? PodLogs.Format(format) : null,
            Pods = PodDefaults.FromEnvironment(Get),
            DataLocations = Get(DataLocationPolicy.Variable) is { } prefixes ? DataLocationPolicy.Parse(prefixes) : null,
        };
    }
}
