using Personalize.Api;
using Personalize.Jobs;

namespace Personalize.Operator.Controllers.Seams;

/// <summary>
/// Seam 2: how trainer runs and campaign runtimes are started, observed and stopped. Cluster mode: Kubernetes Jobs
/// (job.json in a ConfigMap, S3 credentials from a Secret) and Deployments + Services + PodDisruptionBudgets, all owned
/// by the resource (<see cref="Cluster.KubernetesWorkloadLauncher"/>). Local mode: child processes of the trainer and
/// runtime with PERSONALIZE_STORE_ROOT (<see cref="Local.ProcessWorkloadLauncher"/>). Every call is idempotent, so a
/// reconcile can repeat it safely.
/// </summary>
public interface IWorkloadLauncher
{
    /// <summary>Raised when a workload changed (a Job ended, a Deployment became ready): reconcile its owner.</summary>
    event Action<ResourceKey>? OwnerChanged;

    /// <summary>Starts watching owned workloads; completes once their caches are filled.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Starts the run unless one of that name exists already (never a duplicate).</summary>
    Task StartTrainerRunAsync(TrainerRun run, CancellationToken cancellationToken);

    /// <summary>The run's state; <see cref="TrainerRunPhase.Absent"/> when it was never started or is gone.</summary>
    Task<TrainerRunState> GetTrainerRunAsync(WorkloadOwner owner, string runName, CancellationToken cancellationToken);

    /// <summary>Stops and removes the run (and its job spec); absent runs are not an error.</summary>
    Task DeleteTrainerRunAsync(WorkloadOwner owner, string runName, CancellationToken cancellationToken);

    /// <summary>Creates or updates the campaign's runtime to match; returns what is running now.</summary>
    Task<RuntimeState> ApplyRuntimeAsync(RuntimeDeployment deployment, CancellationToken cancellationToken);

    /// <summary>Stops and removes the campaign's runtime; absent runtimes are not an error.</summary>
    Task DeleteRuntimeAsync(WorkloadOwner owner, CancellationToken cancellationToken);
}

/// <summary>The resource a workload belongs to (its owner reference in cluster mode).</summary>
public sealed record WorkloadOwner(string Kind, string Namespace, string Name, string Uid)
{
    public static WorkloadOwner Of(IPersonalizeResource resource) =>
        new(resource.Kind, resource.Metadata.NamespaceProperty ?? string.Empty, resource.Metadata.Name, resource.Metadata.Uid ?? string.Empty);

    public ResourceKey Key => new(Kind, Namespace, Name);
}

/// <summary>One trainer run: `personalize-trainer {Verb} --spec job.json` with this spec and these resources.</summary>
public sealed record TrainerRun(WorkloadOwner Owner, string Name, JobSpec Spec, JobResources? Resources);

public enum TrainerRunPhase
{
    Absent,

    /// <summary>Started but not running yet: no node takes its pod, or the pod is still starting; the message says why where known.</summary>
    Pending,

    /// <summary>Its pod is refused (a quota, Pod Security admission); the message has the API server's reason. Retried by itself.</summary>
    Refused,
    Running,
    Succeeded,
    Failed,
}

/// <summary>What the launcher sees of a run; the trainer's own JobResult in the object store says more.</summary>
public sealed record TrainerRunState(TrainerRunPhase Phase, string? Message = null, DateTimeOffset? StartTime = null, DateTimeOffset? CompletionTime = null)
{
    public static TrainerRunState Absent { get; } = new(TrainerRunPhase.Absent);

    public bool IsFinished => Phase is TrainerRunPhase.Succeeded or TrainerRunPhase.Failed;
}

/// <summary>
/// The runtime a campaign wants: its config (runtime.json), the version it serves, and how many replicas.
/// <see cref="ConfigHash"/> changes whenever the config does, which rolls the pods (readiness-gated).
/// <see cref="MaxUnavailable"/> is how many replicas a voluntary disruption (a node drain) may take at once.
/// <see cref="TokenRotation"/> is the campaign's rotation request: a new value asks for a new bearer token where the
/// launcher authenticates runtimes.
/// </summary>
public sealed record RuntimeDeployment(WorkloadOwner Owner, string Name, string ConfigJson, string ConfigHash, string ServingVersion, int Replicas, int MaxUnavailable, string? TokenRotation = null);

/// <summary>What runs for a campaign now. <see cref="ServingVersion"/> is the version every ready replica serves,
/// null while a rollout mixes versions or nothing is ready. <see cref="CapacityPerReplica"/>: requests/s one replica
/// serves, as the runtimes measured on their model; null until one published it. <see cref="ScoringMethod"/>: exact or ann,
/// as the runtimes report it.</summary>
public sealed record RuntimeState(
    bool Exists,
    int DesiredReplicas,
    int ReadyReplicas,
    int UpdatedReplicas,
    bool RolloutComplete,
    string? Endpoint,
    string? ServingVersion,
    double? ObservedTps,
    string? Problem = null,
    double? CapacityPerReplica = null,
    string? ScoringMethod = null);
