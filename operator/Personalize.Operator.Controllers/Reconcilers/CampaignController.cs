using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Personalize.Api;
using Personalize.Data.Schemas;
using Personalize.Jobs;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Seams;
using Personalize.Operator.Controllers.Workloads;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// A campaign runs the runtime for its solution version: replicas = ceil(minProvisionedTPS / tpsPerReplica), more
/// while observed load needs them, never fewer. A new solutionVersionRef (or any change to what the runtime is
/// told: filters, tracking ids) rolls out readiness-gated; until every replica serves the new version the status
/// keeps naming the old one as serving and latestCampaignUpdate says IN_PROGRESS. Campaigns of aws-user-personalization
/// (and aws-hrnn-coldstart) FULL versions also update their model automatically (<see cref="CampaignAutoUpdater"/>):
/// a new revision rolls out the same way.
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

    private readonly CampaignAutoUpdater _updates = new(context);

    protected override async Task<ReconcileResult> ReconcileCoreAsync(Campaign resource, CancellationToken cancellationToken)
    {
        var (version, wait) = ResolveVersion(resource);
        if (wait is not null || version is null)
        {
            return await AwaitVersionAsync(resource, version, wait ?? "spec.solutionVersionRef is not set", cancellationToken);
        }

        var solution = Context.Store.Get<Solution>(resource.Metadata.NamespaceProperty, version.Spec.SolutionRef.Name);
        if (solution is null || version.Status.ModelLocation is null)
        {
            return await WaitAsync(resource, "WaitingForSolutionVersion", $"SolutionVersion {version.Metadata.Name} has no solution or model location", cancellationToken);
        }

        var update = await _updates.StepAsync(resource, version, solution, cancellationToken);
        var scale = await ScaleAsync(resource, cancellationToken);
        var state = await ApplyRuntimeAsync(resource, version, solution, update.ModelUri, scale, cancellationToken);
        await StatusFromStateAsync(resource, version, scale, state, update, cancellationToken);

        // Looked at again regularly: readiness, observed load and scaling; sooner when an automatic update is due.
        var poll = Context.Settings.PollInterval;
        var after = state.RolloutComplete ? poll : TimeSpan.FromSeconds(Math.Min(2, poll.TotalSeconds));
        return ReconcileResult.After(update.Due is { } due && due < after ? (due < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : due) : after);
    }

    /// <summary>The SolutionVersion to serve: the referenced one, or with syncWithLatestSolutionVersion the newest ACTIVE one of its solution.</summary>
    private (SolutionVersion? Version, string? Waiting) ResolveVersion(Campaign resource)
    {
        var (version, wait) = Parent<SolutionVersion>(resource, resource.Spec.SolutionVersionRef, "spec.solutionVersionRef");
        if (resource.Spec.CampaignConfig?.SyncWithLatestSolutionVersion == true && version is not null)
        {
            version = LatestActive(resource.Metadata.NamespaceProperty, version.Spec.SolutionRef.Name) ?? version;
            wait = version.Status.Phase == Phases.Active ? null : wait;
        }

        return (version, wait);
    }

    /// <summary>
    /// No version to serve yet: a campaign that serves nothing waits (or fails with its version); one that serves
    /// keeps serving what runs, and its latestCampaignUpdate says why the update waits.
    /// </summary>
    private async Task<ReconcileResult> AwaitVersionAsync(Campaign resource, SolutionVersion? version, string message, CancellationToken cancellationToken)
    {
        var serving = resource.Status.ServingSolutionVersion;
        var failed = version?.Status.Phase == Phases.CreateFailed;
        if (failed)
        {
            message = $"SolutionVersion {version!.Metadata.Name} failed: {version.Status.FailureReason}";
            if (serving is null)
            {
                return await FailAsync(resource, "SolutionVersionFailed", message, cancellationToken);
            }
        }

        if (serving is null)
        {
            return await WaitAsync(resource, "WaitingForSolutionVersion", message, cancellationToken);
        }

        await WriteStatusAsync(resource, r => r.Status.LatestCampaignUpdate = new CampaignUpdate
        {
            SolutionVersion = resource.Spec.SolutionVersionRef.Name,
            MinProvisionedTPS = r.Spec.MinProvisionedTPS,
            Phase = failed ? Phases.CreateFailed : Phases.CreatePending,
            FailureReason = failed ? message : null,
        }, cancellationToken);
        return ReconcileResult.After(Context.Settings.PollInterval);
    }

    /// <summary>Replicas for the minimum TPS and the observed load, at the capacity the runtimes measured; a change is an event.</summary>
    private async Task<RuntimeScale> ScaleAsync(Campaign resource, CancellationToken cancellationToken)
    {
        var settings = Context.Settings;
        var key = CapacityKey(resource);
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

        return new RuntimeScale(replicas, minimum, perReplica);
    }

    /// <summary>Applies the runtime Deployment for the version's model (or its newest automatic revision) at the scale, and keeps the capacity its replicas report.</summary>
    private async Task<RuntimeState> ApplyRuntimeAsync(Campaign resource, SolutionVersion version, Solution solution, string modelUri, RuntimeScale scale, CancellationToken cancellationToken)
    {
        var json = JobJson.Serialize(RuntimeConfigFor(resource, version, solution, modelUri));
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16].ToLowerInvariant();
        var state = await Context.Launcher.ApplyRuntimeAsync(
            new RuntimeDeployment(WorkloadOwner.Of(resource), resource.Metadata.Name, json, hash, version.Metadata.Name, scale.Replicas, CampaignScaler.MaxUnavailable(scale.Replicas, scale.Minimum),
                resource.Metadata.Annotations is { } annotations && annotations.TryGetValue(RotateTokenAnnotation, out var rotation) ? rotation : null),
            cancellationToken);
        if (state.CapacityPerReplica is { } capacity)
        {
            _capacity[CapacityKey(resource)] = capacity;
        }

        return state;
    }

    /// <summary>Status from what the runtime reports: serving and ACTIVE once rolled out, else rolling out or starting (stuck when a pod cannot start).</summary>
    private async Task StatusFromStateAsync(Campaign resource, SolutionVersion version, RuntimeScale scale, RuntimeState state, AutoUpdateStep update, CancellationToken cancellationToken)
    {
        var replicas = scale.Replicas;
        var serving = resource.Status.ServingSolutionVersion;
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
            s.TpsPerReplica = Math.Round(scale.PerReplica, 1);
            s.ScoringMethod = state.ScoringMethod ?? s.ScoringMethod;

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

            s.AutomaticUpdate = update.State;
            if (update.State is { } automatic && state.RolloutComplete)
            {
                automatic.ServingModelRevision = automatic.ModelRevision;
            }

            if (update.Condition is { } condition)
            {
                Conditions.Set(s, ConditionTypes.AutoUpdated, condition.Ok, condition.Reason, condition.Message, r.Metadata.Generation, Context.Time);
            }
            else if (update.State is null)
            {
                s.Conditions.RemoveAll(c => c.Type == ConditionTypes.AutoUpdated);
            }
        }, cancellationToken);
    }

    public override async Task<DeletionResult> FinalizeAsync(Campaign resource, CancellationToken cancellationToken)
    {
        await Context.Launcher.DeleteRuntimeAsync(WorkloadOwner.Of(resource), cancellationToken);
        await _updates.StopRunAsync(resource, resource.Status.AutomaticUpdate, cancellationToken);
        if (resource.Status.AutomaticUpdate is not null && Context.Store.Get<SolutionVersion>(resource.Metadata.NamespaceProperty, resource.Status.AutomaticUpdate.SolutionVersion ?? string.Empty) is { } version
            && Context.Store.Get<Solution>(resource.Metadata.NamespaceProperty, version.Spec.SolutionRef.Name) is { } solution)
        {
            // The update runs' results; the revisions themselves go with their SolutionVersion.
            await DeleteDataAsync(resource, _updates.JobsFolder(resource, solution), cancellationToken);
        }

        return DeletionResult.Complete;
    }

    private SolutionVersion? LatestActive(string @namespace, string solution) =>
        Context.Store.List<SolutionVersion>(@namespace)
            .Where(v => v.Spec.SolutionRef.Name == solution && v.Status.Phase == Phases.Active && v.Status.ModelLocation is not null && v.Metadata.DeletionTimestamp is null)
            .OrderByDescending(v => v.Metadata.CreationTimestamp).ThenByDescending(v => v.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>What the runtime is told: model, group, accepted tracking ids, datasets for PutUsers/PutItems, filters.</summary>
    private RuntimeConfig RuntimeConfigFor(Campaign campaign, SolutionVersion version, Solution solution, string modelUri)
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
            ModelUri = modelUri,
            DatasetGroupArn = Arn.For("dataset-group", ns, group),
            DatasetGroupUri = Context.GroupUri(ns, group).ToString(),
            TrackingIds = [.. store.List<EventTracker>(ns).Where(e => e.Spec.DatasetGroupRef.Name == group && e.Status.TrackingId is not null).Select(e => e.Status.TrackingId!).Order(StringComparer.Ordinal)],
            UsersDatasetArn = DatasetArn(DatasetTypes.Users),
            ItemsDatasetArn = DatasetArn(DatasetTypes.Items),
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
                ScoringMethod = campaign.Spec.CampaignConfig?.ScoringMethod ?? ScoringMethods.Auto,
            },
        };
    }

    private static string CapacityKey(Campaign resource) => $"{resource.Metadata.NamespaceProperty}/{resource.Metadata.Name}";

    /// <summary>The replicas a campaign runs, and the fewest it may drop to during a rollout.</summary>
    /// <param name="PerReplica">Requests/s each replica is planned to serve.</param>
    private readonly record struct RuntimeScale(int Replicas, int Minimum, double PerReplica);
}
