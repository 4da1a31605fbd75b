using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Personalize.Api;

[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = "Campaign", PluralName = "campaigns")]
[ShortNames("cmp")]
[Description("Serves a solution version over HTTP with Personalize's runtime API, sized to minProvisionedTPS (CreateCampaign).")]
[PrinterColumn("Status", ".status.phase")]
[PrinterColumn("Version", ".status.servingSolutionVersion")]
[PrinterColumn("Replicas", ".status.readyReplicas", "integer")]
[PrinterColumn("Endpoint", ".status.endpoint")]
[PrinterColumn("TPS", ".status.observedTPS", "number", Priority = 1)]
[PrinterColumn("Scoring", ".status.scoringMethod", "string", Priority = 1)]
[PrinterColumn("Age", ".metadata.creationTimestamp", "date")]
public sealed class Campaign : CustomResource<CampaignSpec, CampaignStatus>;

public sealed class CampaignSpec
{
    [Required]
    [Description("The SolutionVersion to serve; changing it rolls out the new model with no failed request.")]
    [JsonPropertyName("solutionVersionRef")]
    public ResourceRef SolutionVersionRef { get; set; } = new();

    [Range(1, 100000)]
    [DefaultValue(1)]
    [Description("Transactions per second the campaign must always sustain; replicas never go below what it needs.")]
    [JsonPropertyName("minProvisionedTPS")]
    public int? MinProvisionedTPS { get; set; }

    [JsonPropertyName("campaignConfig")]
    public CampaignConfig? CampaignConfig { get; set; }

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }
}

public sealed class CampaignConfig
{
    [Description("explorationWeight (0-1, default \"0.3\") and explorationItemAgeCutOff (days, default \"30\").")]
    [JsonPropertyName("itemExplorationConfig")]
    public Dictionary<string, string>? ItemExplorationConfig { get; set; }

    [JsonPropertyName("enableMetadataWithRecommendations")]
    public bool? EnableMetadataWithRecommendations { get; set; }

    [AllowedValues("auto", "exact", "ann")]
    [Description("How the runtime scores recommendations: auto (the approximate nearest-neighbour index from 50,000 items), exact (every item), or ann. The index serves only if the trainer shipped it (recall@25 against exact >= 0.98 on held-out users); otherwise exact scoring serves. Not part of Personalize's API.")]
    [JsonPropertyName("scoringMethod")]
    public string? ScoringMethod { get; set; }

    [Description("Follow the solution's newest ACTIVE version instead of solutionVersionRef.")]
    [JsonPropertyName("syncWithLatestSolutionVersion")]
    public bool? SyncWithLatestSolutionVersion { get; set; }
}

public sealed class CampaignStatus : ResourceStatus
{
    [Description("The in-cluster URL clients send runtime requests to.")]
    [JsonPropertyName("endpoint")]
    public string? Endpoint { get; set; }

    [JsonPropertyName("servingSolutionVersion")]
    public string? ServingSolutionVersion { get; set; }

    [JsonPropertyName("desiredReplicas")]
    public int? DesiredReplicas { get; set; }

    [JsonPropertyName("readyReplicas")]
    public int? ReadyReplicas { get; set; }

    [Description("Requests per second the runtime pods served, averaged over the last scrape window.")]
    [JsonPropertyName("observedTPS")]
    public double? ObservedTPS { get; set; }

    [Description("Requests per second each runtime replica is planned to serve: the capacity the replicas measured on their model, bounded by minProvisionedTPS per replica and the maximum replica count.")]
    [JsonPropertyName("tpsPerReplica")]
    public double? TpsPerReplica { get; set; }

    [Description("How the runtime scores the catalogue: exact, or ann (the model's inverted-file index), as campaignConfig.scoringMethod, the catalogue size and the index's recall gate decided.")]
    [JsonPropertyName("scoringMethod")]
    public string? ScoringMethod { get; set; }

    [JsonPropertyName("latestCampaignUpdate")]
    public CampaignUpdate? LatestCampaignUpdate { get; set; }

    [Description("aws-user-personalization and aws-hrnn-coldstart campaigns: the automatic updates of the served FULL version's model (new items and interactions trained in on an interval, with no new SolutionVersion and no new metrics).")]
    [JsonPropertyName("automaticUpdate")]
    public CampaignAutomaticUpdate? AutomaticUpdate { get; set; }
}

/// <summary>Where a campaign's automatic updates stand: revision 0 is the version's own model, each update writes the next.</summary>
public sealed class CampaignAutomaticUpdate
{
    [Description("The SolutionVersion whose model the revisions continue.")]
    [JsonPropertyName("solutionVersion")]
    public string? SolutionVersion { get; set; }

    [Description("The newest model revision: 0 is the version's own model; the runtimes are rolled onto it.")]
    [JsonPropertyName("modelRevision")]
    public int ModelRevision { get; set; }

    [Description("Where that revision's model is stored.")]
    [JsonPropertyName("modelLocation")]
    public string? ModelLocation { get; set; }

    [Description("The revision every ready runtime replica serves (it lags modelRevision while a rollout is under way).")]
    [JsonPropertyName("servingModelRevision")]
    public int? ServingModelRevision { get; set; }

    [Description("When the newest revision was written by an automatic update.")]
    [JsonPropertyName("lastUpdatedDateTime")]
    public DateTimeOffset? LastUpdatedDateTime { get; set; }

    [Description("The data the newest revision was trained on was read at this time; data stored later is new.")]
    [JsonPropertyName("dataAsOf")]
    public DateTimeOffset? DataAsOf { get; set; }

    [Description("When the operator looks for new data next (the operator's automatic update interval, 2 hours by default).")]
    [JsonPropertyName("nextCheckDateTime")]
    public DateTimeOffset? NextCheckDateTime { get; set; }

    [Description("Updates started, counting those that found nothing new or failed; names each trainer run.")]
    [JsonPropertyName("attempts")]
    public int Attempts { get; set; }

    [Description("The trainer run of the update under way, if one is.")]
    [JsonPropertyName("jobName")]
    public string? JobName { get; set; }

    [Description("What the latest check or update did, or why automatic updates are stopped; a failure names its cause.")]
    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

public sealed class CampaignUpdate
{
    [JsonPropertyName("solutionVersion")]
    public string? SolutionVersion { get; set; }

    [JsonPropertyName("minProvisionedTPS")]
    public int? MinProvisionedTPS { get; set; }

    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [JsonPropertyName("failureReason")]
    public string? FailureReason { get; set; }
}
