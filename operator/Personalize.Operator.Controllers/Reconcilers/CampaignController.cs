using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Personalize.Api;
using Personalize.Jobs;
using Personalize.Operator.Controllers;
using Personalize.Operator.Seams;
using Personalize.Operator.Workloads;

namespace Personalize.Operator.Reconcilers;

/// <summary>
/// A campaign runs the runtime for its solution version: replicas = ceil(minProvisionedTPS / tpsPerReplica), more
/// while observed load needs them, never fewer. A new solutionVersionRef (or any change to what the runtime is
/// told: filters, tracking ids) rolls out readiness-gated; until every replica serves the new version the status
/// keeps naming the old one as serving and latestCampaignUpdate says IN_PROGRESS.
/// </summary>
public sealed class CampaignController(ControllerContext context) : ResourceController<Campaign>(context)
{
    /// <summary>Set to a new value (a date, a counter) to rotate the campaign's runtime token.</summary>
    public const string RotateTokenAnnotation = "personalize.io/rotate-token";

    // What each campaign's runtimes measured they serve per replica (their model, their scoring method); until they
    // publish it, settings.TpsPerReplica. Kept in memory: after an operator restart the next scrape brings it back.
    private readonly ConcurrentDictionary<string, double> _capacity = new();

    // When each campaign last scaled up, for the scale-down stabilization; in memory like the capacity.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _scaledUp = new();

    protected override async Task<ReconcileResult> ReconcileCoreAsync(Campaign resource, CancellationToken cancellationToken)
    {
        var ns = resource.Metadata.NamespaceProperty;
        var serving = resource.Status.ServingSolutionVersion;
        var (version, wait) = Parent<SolutionVersion>(resource, resource.Spec.SolutionVersionRef, "spec.solutionVersionRef");
        if (resource.Spec.CampaignConfig?.SyncWithLatestSolutionVersion == true && version is not null)
        {
            version = LatestActive(ns, version.Spec.SolutionRef.Name) ?? version;
            wait = version.Status.Phase == Phases.Active ? null : wait;
        }

        if (wait is not null || version is null)
        {
            var message = wait ?? "spec.solutionVersionRef is not set";
            if (version?.Status.Phase == Phases.CreateFailed)
            {
                message = $"SolutionVersion {version.Metadata.Name} failed: {version.Status.FailureReason}";
                if (serving is null)
                {
                    return await FailAsync(resource, "SolutionVersionFailed", message, cancellationToken);
                }
            }

            if (serving is null)
            {
                return await WaitAsync(resource, "WaitingForSolutionVersion", message, cancellationToken);
            }

            // Keep serving what runs; the update waits.
            await WriteStatusAsync(resource, r => r.Status.LatestCampaignUpdate = new CampaignUpdate
            {
                SolutionVersion = resource.Spec.SolutionVersionRef.Name,
                MinProvisionedTPS = r.Spec.MinProvisionedTPS,
                Phase = version?.Status.Phase == Phases.CreateFailed ? Phases.CreateFailed : Phases.CreatePending,
                FailureReason = version?.Status.Phase == Phases.CreateFailed ? message : null,
            }, cancellationToken);
            return ReconcileResult.After(Context.Settings.PollInterval);
        }

        var solution = Context.Store.Get<Solution>(ns, version.Spec.SolutionRef.Name);
        if (solution is null || version.Status.ModelLocation is null)
        {
            return await WaitAsync(resource, "WaitingForSolutionVersion", $"SolutionVersion {version.Metadata.Name} has no solution or model location", cancellationToken);
        }

        var config = RuntimeConfigFor(resource, version, solution);
        var json = JobJson.Serialize(config);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16].ToLowerInvariant();
        var settings = Context.Settings;
        var key = $"{ns}/{resource.Metadata.Name}";
        var perReplica = CampaignScaler.PlannedPerReplica(
            _capacity.TryGetValue(key, out var measured) ? measured : null, resource.Spec.MinProvisionedTPS ?? 1, settings.TpsPerReplica, settings.MaxReplicas);
        var minimum = CampaignScaler.MinimumReplicas(resource.Spec.MinProvisionedTPS ?? 1, perReplica);
        var current = resource.Status.DesiredReplicas ?? minimum;
        var now = Context.Time.GetUtcNow();
        var replicas = CampaignScaler.Stabilized(
            current,
            CampaignScaler.Desired(current, minimum, settings.MaxReplicas, resource.Status.ObservedTPS, perReplica),
            _scaledUp.TryGetValue(key, out var scaledUp) ? scaledUp : null,
            now,
            settings.ScaleDownStabilization);
        if (replicas > current)
        {
            _scaledUp[key] = now;
        }

        if (replicas != current)
        {
            await Context.Events.RecordAsync(resource, "Scaled", $"runtime replicas {current} -> {replicas} (observed {resource.Status.ObservedTPS:0.#} TPS, {perReplica:0.#} per replica, minimum {minimum})", warning: false, cancellationToken);
        }

        var state = await Context.Launcher.ApplyRuntimeAsync(
            new RuntimeDeployment(WorkloadOwner.Of(resource), resource.Metadata.Name, json, hash, version.Metadata.Name, replicas, CampaignScaler.MaxUnavailable(replicas, minimum),
                resource.Metadata.Annotations is { } annotations && annotations.TryGetValue(RotateTokenAnnotation, out var rotation) ? rotation : null),
            cancellationToken);
        if (state.CapacityPerReplica is { } capacity)
        {
            _capacity[key] = capacity;
        }

        if (serving is not null && serving != version.Metadata.Name && resource.Status.LatestCampaignUpdate?.SolutionVersion != version.Metadata.Name)
        {
            await Context.Events.RecordAsync(resource, "RolloutStarted", $"rolling out SolutionVersion {version.Metadata.Name} (serving {serving})", warning: false, cancellationToken);
        }

        await WriteStatusAsync(resource, r =>
        {
            Accept(r);
            var s = r.Status;
            s.Endpoint = state.Endpoint;
            s.DesiredReplicas = replicas;
            s.ReadyReplicas = state.ReadyReplicas;
            s.ObservedTPS = state.ObservedTps is { } tps ? Math.Round(tps, 2) : s.ObservedTPS;

            if (state.RolloutComplete)
            {
                s.ServingSolutionVersion = version.Metadata.Name;
                s.Phase = Phases.Active;
                s.FailureReason = null;
                SetReady(r, true, "Serving", $"{state.ReadyReplicas} replica(s) serve SolutionVersion {version.Metadata.Name} at {state.Endpoint}");
            }
            else if (s.ServingSolutionVersion is not null)
            {
                SetReady(r, state.ReadyReplicas > 0, state.Problem is null ? "RolloutInProgress" : "RolloutStuck",
                    state.Problem ?? $"rolling out SolutionVersion {version.Metadata.Name}: {state.UpdatedReplicas}/{replicas} updated, {state.ReadyReplicas} ready; {s.ServingSolutionVersion} keeps serving");
            }
            else
            {
                s.Phase = Phases.CreateInProgress;
                SetReady(r, false, state.Problem is null ? "RuntimeStarting" : "RuntimeStuck",
                    state.Problem ?? $"waiting for runtime replicas: {state.ReadyReplicas}/{replicas} ready");
            }

            s.LatestCampaignUpdate = new CampaignUpdate
            {
                SolutionVersion = version.Metadata.Name,
                MinProvisionedTPS = r.Spec.MinProvisionedTPS,
                Phase = state.RolloutComplete ? Phases.Active : Phases.CreateInProgress,
            };
        }, cancellationToken);

        // Looked at again regularly: readiness, observed load and scaling.
        return ReconcileResult.After(state.RolloutComplete ? settings.PollInterval : TimeSpan.FromSeconds(Math.Min(2, settings.PollInterval.TotalSeconds)));
    }

    public override async Task<DeletionResult> DeletedAsync(Campaign resource, CancellationToken cancellationToken)
    {
        await Context.Launcher.DeleteRuntimeAsync(WorkloadOwner.Of(resource), cancellationToken);
        return DeletionResult.Complete;
    }

    private SolutionVersion? LatestActive(string @namespace, string solution) =>
        Context.Store.List<SolutionVersion>(@namespace)
            .Where(v => v.Spec.SolutionRef.Name == solution && v.Status.Phase == Phases.Active && v.Status.ModelLocation is not null && v.Metadata.DeletionTimestamp is null)
            .OrderByDescending(v => v.Metadata.CreationTimestamp).ThenByDescending(v => v.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>What the runtime is told: model, group, accepted tracking ids, datasets for PutUsers/PutItems, filters.</summary>
    private RuntimeConfig RuntimeConfigFor(Campaign campaign, SolutionVersion version, Solution solution)
    {
        var ns = campaign.Metadata.NamespaceProperty;
        var group = solution.Spec.DatasetGroupRef.Name;
        var store = Context.Store;
        var datasets = store.List<Dataset>(ns).Where(d => d.Spec.DatasetGroupRef.Name == group && d.Status.Phase == Phases.Active).ToList();
        string? DatasetArn(string type) => datasets.FirstOrDefault(d => d.Spec.DatasetType == type)?.Status.Arn;
        return new RuntimeConfig
        {
            CampaignArn = campaign.Status.Arn ?? Arn.For("campaign", ns, campaign.Metadata.Name),
            CampaignName = campaign.Metadata.Name,
            SolutionVersionArn = version.Status.Arn,
            ModelUri = version.Status.ModelLocation!,
            DatasetGroupArn = Arn.For("dataset-group", ns, group),
            DatasetGroupUri = Context.GroupUri(ns, group).ToString(),
            TrackingIds = [.. store.List<EventTracker>(ns).Where(e => e.Spec.DatasetGroupRef.Name == group && e.Status.TrackingId is not null).Select(e => e.Status.TrackingId!).Order(StringComparer.Ordinal)],
            UsersDatasetArn = DatasetArn("Users"),
            ItemsDatasetArn = DatasetArn("Items"),
            Filters =
            [
                .. store.List<Filter>(ns).Where(f => f.Spec.DatasetGroupRef.Name == group && f.Status.Phase == Phases.Active && f.Status.Arn is not null)
                    .OrderBy(f => f.Metadata.Name, StringComparer.Ordinal)
                    .Select(f => new RuntimeFilter { FilterArn = f.Status.Arn!, FilterExpression = f.Spec.FilterExpression }),
            ],
            Limits = new RuntimeLimits
            {
                MaxRequestsPerSecond = CampaignScaler.RequestsPerSecondPerReplica(campaign.Spec.MinProvisionedTPS ?? 1, Context.Settings.TpsPerReplica, Context.Settings.MaxReplicas),
            },
            CampaignConfig = new RuntimeCampaignConfig
            {
                ItemExplorationConfig = campaign.Spec.CampaignConfig?.ItemExplorationConfig ?? [],
                EnableMetadataWithRecommendations = campaign.Spec.CampaignConfig?.EnableMetadataWithRecommendations == true,
            },
        };
    }
}
