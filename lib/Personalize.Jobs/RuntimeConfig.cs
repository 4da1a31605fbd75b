using System.Text.Json.Serialization;

namespace Personalize.Jobs;

/// <summary>
/// The one file a campaign runtime reads (`personalize-runtime --config runtime.json`): mounted from a ConfigMap by
/// the operator, written beside the child process in local mode. Object-store credentials never travel in it (they
/// come from the environment); neither does the bearer token (a file path or an environment variable names it).
/// </summary>
public sealed class RuntimeConfig
{
    public const string FileName = "runtime.json";

    /// <summary>Environment variable holding the bearer token when <see cref="RuntimeAuth.TokenFile"/> is not set.</summary>
    public const string TokenEnvironmentVariable = "PERSONALIZE_RUNTIME_TOKEN";

    /// <summary>Environment variable naming the token file when <see cref="RuntimeAuth.TokenFile"/> is not set: the
    /// operator's cluster launcher mounts each campaign's token Secret and names the file here.</summary>
    public const string TokenFileEnvironmentVariable = "PERSONALIZE_RUNTIME_TOKEN_FILE";

    [Description("ARN clients send as campaignArn; requests naming another campaign get ResourceNotFoundException.")]
    [JsonPropertyName("campaignArn")]
    public string CampaignArn { get; set; } = string.Empty;

    [JsonPropertyName("campaignName")]
    public string CampaignName { get; set; } = string.Empty;

    [Description("ARN of the solution version being served; reported as the model version in /metrics.")]
    [JsonPropertyName("solutionVersionArn")]
    public string? SolutionVersionArn { get; set; }

    [Description("s3:// prefix of the model artifact (manifest.json, model.safetensors), StoreLayout.Model.")]
    [JsonPropertyName("modelUri")]
    public string ModelUri { get; set; } = string.Empty;

    [JsonPropertyName("datasetGroupArn")]
    public string? DatasetGroupArn { get; set; }

    [Description("s3:// prefix of the dataset group (StoreLayout.DatasetGroup): real-time records are written and tailed under it.")]
    [JsonPropertyName("datasetGroupUri")]
    public string DatasetGroupUri { get; set; } = string.Empty;

    [Description("trackingIds PutEvents accepts (the dataset group's EventTracker); empty means events are refused.")]
    [JsonPropertyName("trackingIds")]
    public List<string> TrackingIds { get; set; } = [];

    [Description("datasetArn PutUsers accepts (the group's Users dataset); null means PutUsers is refused.")]
    [JsonPropertyName("usersDatasetArn")]
    public string? UsersDatasetArn { get; set; }

    [Description("datasetArn PutItems accepts (the group's Items dataset); null means PutItems is refused.")]
    [JsonPropertyName("itemsDatasetArn")]
    public string? ItemsDatasetArn { get; set; }

    [Description("The dataset group's ACTIVE filters; requests name them by filterArn.")]
    [JsonPropertyName("filters")]
    public List<RuntimeFilter> Filters { get; set; } = [];

    [JsonPropertyName("campaignConfig")]
    public RuntimeCampaignConfig CampaignConfig { get; set; } = new();

    [JsonPropertyName("limits")]
    public RuntimeLimits Limits { get; set; } = new();

    [JsonPropertyName("auth")]
    public RuntimeAuth Auth { get; set; } = new();

    [JsonPropertyName("realtime")]
    public RuntimeRealtime Realtime { get; set; } = new();

    [JsonPropertyName("scoring")]
    public ScoringSettings Scoring { get; set; } = new();
}

/// <summary>A Filter resource as the runtime needs it: the ARN requests use and the expression it compiles once.</summary>
public sealed class RuntimeFilter
{
    [JsonPropertyName("filterArn")]
    public string FilterArn { get; set; } = string.Empty;

    [JsonPropertyName("filterExpression")]
    public string FilterExpression { get; set; } = string.Empty;
}

/// <summary>The Campaign's campaignConfig, as Personalize spells it.</summary>
public sealed class RuntimeCampaignConfig
{
    [Description("explorationWeight (0-1, default \"0.3\") and explorationItemAgeCutOff (days, default \"30\").")]
    [JsonPropertyName("itemExplorationConfig")]
    public Dictionary<string, string> ItemExplorationConfig { get; set; } = [];

    [JsonPropertyName("enableMetadataWithRecommendations")]
    public bool EnableMetadataWithRecommendations { get; set; }

    [Description("auto (the ANN index from 50,000 items, when the artifact ships one), exact, or ann (whenever one shipped).")]
    [JsonPropertyName("scoringMethod")]
    public string ScoringMethod { get; set; } = ScoringMethods.Auto;
}

/// <summary>campaignConfig.scoringMethod: how recommendations are scored.</summary>
public static class ScoringMethods
{
    public const string Auto = "auto";
    public const string Exact = "exact";
    public const string Ann = "ann";

    public static readonly IReadOnlyList<string> All = [Auto, Exact, Ann];
}

/// <summary>What one replica accepts before it sheds load (429) or refuses a body (413).</summary>
public sealed class RuntimeLimits
{
    [Description("Requests per second one replica serves (token bucket); above it requests get 429. 0 = unlimited.")]
    [JsonPropertyName("maxRequestsPerSecond")]
    public int MaxRequestsPerSecond { get; set; }

    [Description("Extra requests the token bucket absorbs in a burst above maxRequestsPerSecond.")]
    [JsonPropertyName("burst")]
    public int Burst { get; set; } = 100;

    [Description("Largest request body in bytes; larger ones get 413.")]
    [JsonPropertyName("maxRequestBodyBytes")]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

/// <summary>Optional bearer-token auth; with no token configured every request is served (SigV4 is not checked).</summary>
public sealed class RuntimeAuth
{
    [Description("Path of a file holding the bearer token (a mounted Secret). Unset: PERSONALIZE_RUNTIME_TOKEN, if set.")]
    [JsonPropertyName("tokenFile")]
    public string? TokenFile { get; set; }
}

/// <summary>How replicas share real-time events through the object store.</summary>
public sealed class RuntimeRealtime
{
    [Description("How often a replica lists the real-time prefix for records other replicas wrote.")]
    [JsonPropertyName("pollIntervalMilliseconds")]
    public int PollIntervalMilliseconds { get; set; } = 250;

    [Description("Longest a PutEvents request waits for others to share its object-store write (group commit).")]
    [JsonPropertyName("maxBatchDelayMilliseconds")]
    public int MaxBatchDelayMilliseconds { get; set; } = 5;

    [Description("Most recent events per user the model's state is computed from (an HRNN model reads at most its historyWindow of them).")]
    [JsonPropertyName("maxHistoryPerUser")]
    public int MaxHistoryPerUser { get; set; } = 200;

    [Description("Writer id in real-time file names; unset: the host name (the pod name in a cluster).")]
    [JsonPropertyName("writerId")]
    public string? WriterId { get; set; }

    [Description("How often a replica checks whether the real-time log has enough old objects to fold into Parquet parts; 0 turns compaction off.")]
    [JsonPropertyName("compactionIntervalSeconds")]
    public int CompactionIntervalSeconds { get; set; } = 300;

    [Description("Fewest objects older than ten minutes worth a compaction.")]
    [JsonPropertyName("compactionMinObjects")]
    public int CompactionMinObjects { get; set; } = 1000;

    [Description("How often a replica writes the lists it served (by recommendationId, for training's implicit impressions) to the store; lists queued since the last write are lost if the replica crashes.")]
    [JsonPropertyName("servedListFlushMilliseconds")]
    public int ServedListFlushMilliseconds { get; set; } = 1000;

    [Description("Days the served lists are kept (compaction drops older ones); an event's recommendationId becomes implicit impressions only in trainings within this window of the recommendation.")]
    [JsonPropertyName("servedListRetentionDays")]
    public int ServedListRetentionDays { get; set; } = 14;
}

/// <summary>How the HRNN scorer serves a query; every choice returns the same items as float32 exact scoring.</summary>
public sealed class ScoringSettings
{
    /// <summary>From this many items scoringMethod auto serves the ANN index (when the artifact ships one): an exact pass costs milliseconds.</summary>
    public const int AnnFromItems = 50_000;

    /// <summary>Item tables larger than this (float32 bytes) outgrow the caches, so int8 scoring pays.</summary>
    public const long QuantizeAboveBytes = 8L * 1024 * 1024;

    [Description("int8 item vectors with float32 re-scoring of the candidates: true, false, or unset = when the float32 item table exceeds 8 MiB.")]
    [JsonPropertyName("quantize")]
    public bool? Quantize { get; set; }

    [Description("Score queries that arrive while a pass over the item table runs together in the next pass (no wait when idle).")]
    [JsonPropertyName("batch")]
    public bool Batch { get; set; } = true;

    [Description("Users whose recurrent state is kept between requests (least recently used dropped first; ~0.5 KiB each at hidden 64); 0 turns the cache off.")]
    [JsonPropertyName("userStateCacheSize")]
    public int UserStateCacheSize { get; set; } = 100_000;

    public bool ShouldQuantize(long items, int hidden) => Quantize ?? items * hidden * sizeof(float) > QuantizeAboveBytes;
}
