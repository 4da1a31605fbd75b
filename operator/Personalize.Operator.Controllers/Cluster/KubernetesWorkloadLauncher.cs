using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Personalize.Api;
using Personalize.Jobs;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Seams;
using Personalize.Operator.Controllers.Workloads;

namespace Personalize.Operator.Controllers.Cluster;

/// <summary>
/// The cluster adapter of <see cref="IWorkloadLauncher"/>. Trainer runs are batch/v1 Jobs whose job.json comes from a
/// ConfigMap and whose object-store credentials come from a Secret; campaign runtimes are a Deployment (rolling
/// update that never removes a ready pod before its replacement is ready), a Service and a PodDisruptionBudget.
/// All are written with server-side apply under one field manager, on every reconcile for the runtime, so an edit
/// of a field the operator sets (resources, nodeSelector, probes, ports) is set back. Everything carries an owner
/// reference to its resource (so Kubernetes garbage-collects it) and labels the Job/Deployment watches use.
/// </summary>
public sealed class KubernetesWorkloadLauncher : IWorkloadLauncher
{
    private const string JobSpecMount = "/etc/personalize";

    /// <summary>The field manager of every server-side apply: the fields this operator owns in its objects.</summary>
    public const string FieldManager = "personalize-operator";
    private readonly IKubernetes _client;
    private readonly OperatorSettings _settings;
    private readonly RuntimeTpsMeter _tps;
    private readonly RuntimeTokens _tokens;
    private readonly ILogger _logger;
    private readonly KubernetesInformerSet<V1Job, V1JobList> _jobs;
    private readonly KubernetesInformerSet<V1Deployment, V1DeploymentList> _deployments;
    private string _pdbApiVersion = "policy/v1";
    private Task? _running;

    public KubernetesWorkloadLauncher(IKubernetes client, OperatorSettings settings, InformerOptions options, OperatorMetrics metrics, RuntimeTpsMeter tps, ILogger<KubernetesWorkloadLauncher> logger)
    {
        _client = client;
        _settings = settings;
        _tps = tps;
        _logger = logger;
        _tokens = new RuntimeTokens(client, FieldManager);
        var namespaces = settings.WatchNamespaces;
        _jobs = new KubernetesInformerSet<V1Job, V1JobList>(
            "Job",
            namespaces,
            ns => (rv, watch, timeout, ct) => ns is null
                ? client.BatchV1.ListJobForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: watch ? true : null, labelSelector: WorkloadLabels.Selector, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct)
                : client.BatchV1.ListNamespacedJobWithHttpMessagesAsync(ns, allowWatchBookmarks: watch ? true : null, labelSelector: WorkloadLabels.Selector, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct),
            options, metrics, logger);
        _deployments = new KubernetesInformerSet<V1Deployment, V1DeploymentList>(
            "Deployment",
            namespaces,
            ns => (rv, watch, timeout, ct) => ns is null
                ? client.AppsV1.ListDeploymentForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: watch ? true : null, labelSelector: WorkloadLabels.Selector, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct)
                : client.AppsV1.ListNamespacedDeploymentWithHttpMessagesAsync(ns, allowWatchBookmarks: watch ? true : null, labelSelector: WorkloadLabels.Selector, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct),
            options, metrics, logger);
        _jobs.Changed += (_, job) => RaiseOwnerChanged(job.Metadata);
        _deployments.Changed += (_, deployment) => RaiseOwnerChanged(deployment.Metadata);
    }

    public event Action<ResourceKey>? OwnerChanged;

    public Task Completion => _running ?? Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _pdbApiVersion = await DetectPdbApiVersionAsync(cancellationToken);
        _running = Task.WhenAll(_jobs.RunAsync(cancellationToken), _deployments.RunAsync(cancellationToken));
        await Task.WhenAll(_jobs.Synced, _deployments.Synced).WaitAsync(cancellationToken);
    }

    public async Task StartTrainerRunAsync(TrainerRun run, CancellationToken cancellationToken)
    {
        var ns = run.Owner.Namespace;
        if (_jobs.Get(ns, run.Name) is not null || await ReadOrNullAsync(() => _client.BatchV1.ReadNamespacedJobAsync(run.Name, ns, cancellationToken: cancellationToken)) is { } existing && Observe(existing))
        {
            return;
        }

        var labels = LabelsFor(run.Owner, "trainer");
        var spec = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Meta(run.Name, run.Owner, labels),
            Data = new Dictionary<string, string> { [JobSpec.FileName] = JobJson.Serialize(run.Spec) },
        };
        await _client.CoreV1.PatchNamespacedConfigMapAsync(Apply(spec), run.Name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);

        var resources = _settings.Pods.Resolve(run.Resources);
        var job = new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = Meta(run.Name, run.Owner, labels),
            Spec = new V1JobSpec
            {
                BackoffLimit = resources.BackoffLimit ?? _settings.JobBackoffLimit,
                ActiveDeadlineSeconds = resources.ActiveDeadlineSeconds ?? _settings.JobActiveDeadlineSeconds,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        NodeSelector = resources.NodeSelector,
                        Tolerations = resources.Tolerations?.Select(t => new V1Toleration
                        {
                            Key = t.Key,
                            OperatorProperty = t.Operator,
                            Value = t.Value,
                            Effect = t.Effect,
                            TolerationSeconds = t.TolerationSeconds,
                        }).ToList(),
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "trainer",
                                Image = _settings.Pods.TrainerImage(resources, _settings.TrainerImage),
                                Args = [run.Spec.Verb, "--spec", $"{JobSpecMount}/{JobSpec.FileName}"],
                                EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = _settings.S3SecretName } }],
                                Env = PodEnvironment(),
                                Resources = TrainerResources(resources),
                                VolumeMounts = [new V1VolumeMount { Name = "job-spec", MountPath = JobSpecMount, ReadOnlyProperty = true }],
                            },
                        ],
                        Volumes = [new V1Volume { Name = "job-spec", ConfigMap = new V1ConfigMapVolumeSource { Name = run.Name } }],
                    },
                },
            },
        };
        RestrictedPods.Apply(job.Spec.Template.Spec);
        // Applied once: a Job's pod template cannot change, and a run that exists is never started again.
        _jobs.Observe(await _client.BatchV1.PatchNamespacedJobAsync(Apply(job), run.Name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken));
    }

    public async Task<TrainerRunState> GetTrainerRunAsync(WorkloadOwner owner, string runName, CancellationToken cancellationToken)
    {
        var job = _jobs.Get(owner.Namespace, runName)
            ?? await ReadOrNullAsync(() => _client.BatchV1.ReadNamespacedJobAsync(runName, owner.Namespace, cancellationToken: cancellationToken));
        if (job is null)
        {
            return TrainerRunState.Absent;
        }

        var status = job.Status ?? new V1JobStatus();
        DateTimeOffset? start = status.StartTime is { } s ? new DateTimeOffset(DateTime.SpecifyKind(s, DateTimeKind.Utc)) : null;
        DateTimeOffset? end = status.CompletionTime is { } c ? new DateTimeOffset(DateTime.SpecifyKind(c, DateTimeKind.Utc)) : null;
        var conditions = status.Conditions ?? [];
        if (conditions.FirstOrDefault(c => c.Type == "Complete" && c.Status == "True") is not null)
        {
            return new TrainerRunState(TrainerRunPhase.Succeeded, null, start, end);
        }

        if (conditions.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True") is { } failed)
        {
            var when = failed.LastTransitionTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : end;
            return new TrainerRunState(TrainerRunPhase.Failed, $"trainer Job {runName} failed: {failed.Reason}: {failed.Message}", start, when);
        }

        if ((status.Active ?? 0) > 0)
        {
            // The Job counts a pod waiting for a node as active: only a pod the kubelet runs makes the run running.
            var waiting = await WaitingPodAsync(job, cancellationToken);
            return new TrainerRunState(waiting is null ? TrainerRunPhase.Running : TrainerRunPhase.Pending, waiting, start, null);
        }

        // No pod exists: the Job controller may be refused one (quota, Pod Security admission). It says so only in
        // an Event on the Job.
        var refusal = await LatestFailedCreateAsync(job, cancellationToken);
        return refusal is null
            ? new TrainerRunState(TrainerRunPhase.Pending, null, start, null)
            : new TrainerRunState(TrainerRunPhase.Refused, $"trainer Job {runName} cannot create its pod: {refusal}", start, null);
    }

    /// <summary>Why the Job's pods are not running yet (the scheduler's or the kubelet's reason), or null once one runs.</summary>
    private async Task<string?> WaitingPodAsync(V1Job job, CancellationToken cancellationToken)
    {
        var pods = await _client.CoreV1.ListNamespacedPodAsync(job.Metadata.NamespaceProperty, labelSelector: $"controller-uid={job.Metadata.Uid}", cancellationToken: cancellationToken);
        var pending = pods.Items.Where(p => p.Status?.Phase == "Pending").ToList();
        if (pending.Count == 0 || pods.Items.Any(p => p.Status?.Phase == "Running"))
        {
            return null;
        }

        var pod = pending[0];
        if (pod.Status.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False") is { } unscheduled)
        {
            return $"trainer pod {pod.Metadata.Name} is not scheduled: {unscheduled.Reason}: {unscheduled.Message}";
        }

        return pod.Status.ContainerStatuses?.Select(c => c.State?.Waiting).FirstOrDefault(w => w is not null) is { } starting
            ? $"trainer pod {pod.Metadata.Name} is starting: {starting.Reason}{(starting.Message is null ? string.Empty : ": " + starting.Message)}"
            : $"trainer pod {pod.Metadata.Name} is pending";
    }

    private async Task<string?> LatestFailedCreateAsync(V1Job job, CancellationToken cancellationToken)
    {
        var events = await _client.CoreV1.ListNamespacedEventAsync(
            job.Metadata.NamespaceProperty, fieldSelector: $"involvedObject.uid={job.Metadata.Uid},reason=FailedCreate", cancellationToken: cancellationToken);
        return events.Items.OrderByDescending(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp).FirstOrDefault()?.Message;
    }

    public async Task DeleteTrainerRunAsync(WorkloadOwner owner, string runName, CancellationToken cancellationToken)
    {
        await DeleteIgnoringMissingAsync(() => _client.BatchV1.DeleteNamespacedJobAsync(runName, owner.Namespace, propagationPolicy: "Background", cancellationToken: cancellationToken));
        await DeleteIgnoringMissingAsync(() => _client.CoreV1.DeleteNamespacedConfigMapAsync(runName, owner.Namespace, cancellationToken: cancellationToken));
    }

    public async Task<RuntimeState> ApplyRuntimeAsync(RuntimeDeployment deployment, CancellationToken cancellationToken)
    {
        deployment = deployment with { Name = KubernetesNames.Dns1035Label(deployment.Name) };
        var ns = deployment.Owner.Namespace;
        var labels = LabelsFor(deployment.Owner, "runtime");
        labels[WorkloadLabels.Campaign] = deployment.Name;
        var selector = new Dictionary<string, string> { [WorkloadLabels.ManagedBy] = WorkloadLabels.ManagedByValue, [WorkloadLabels.Campaign] = deployment.Name };
        var configName = $"{deployment.Name}-{deployment.ConfigHash[..Math.Min(10, deployment.ConfigHash.Length)]}";

        await _client.CoreV1.PatchNamespacedConfigMapAsync(
            Apply(new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = Meta(configName, deployment.Owner, labels), Data = new Dictionary<string, string> { ["runtime.json"] = deployment.ConfigJson } }),
            configName, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
        await ApplyServiceAsync(deployment, labels, selector, cancellationToken);
        await ApplyPdbAsync(deployment, labels, selector, cancellationToken);
        if (_settings.RuntimeAuth && await _tokens.EnsureAsync(Meta(RuntimeTokens.SecretName(deployment.Name), deployment.Owner, labels), deployment.TokenRotation, cancellationToken))
        {
            _logger.LogInformation("Wrote a new runtime token for {Kind} {Namespace}/{Name}", deployment.Owner.Kind, ns, deployment.Owner.Name);
        }

        var current = await _client.AppsV1.PatchNamespacedDeploymentAsync(
            Apply(RuntimeDeploymentObject(deployment, labels, selector, configName)), deployment.Name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
        _deployments.Observe(current);

        var state = StateOf(current, deployment);
        if (state.RolloutComplete)
        {
            await DeleteStaleConfigMapsAsync(deployment, configName, cancellationToken);
        }

        var tps = await MeasureTpsAsync(deployment, cancellationToken);
        var key = $"{deployment.Owner.Namespace}/{deployment.Name}";
        return state with { ObservedTps = tps, CapacityPerReplica = _tps.CapacityPerReplica(key), ScoringMethod = _tps.ScoringMethod(key) };
    }

    public async Task DeleteRuntimeAsync(WorkloadOwner owner, CancellationToken cancellationToken)
    {
        var name = KubernetesNames.Dns1035Label(owner.Name);
        await DeleteIgnoringMissingAsync(() => _client.AppsV1.DeleteNamespacedDeploymentAsync(name, owner.Namespace, propagationPolicy: "Background", cancellationToken: cancellationToken));
        await DeleteIgnoringMissingAsync(() => _client.CoreV1.DeleteNamespacedServiceAsync(name, owner.Namespace, cancellationToken: cancellationToken));
        await DeleteIgnoringMissingAsync(() => _client.CustomObjects.DeleteNamespacedCustomObjectAsync(
            "policy", _pdbApiVersion.Split('/')[1], owner.Namespace, "poddisruptionbudgets", name, cancellationToken: cancellationToken));
        var configMaps = await _client.CoreV1.ListNamespacedConfigMapAsync(owner.Namespace, labelSelector: $"{WorkloadLabels.Campaign}={name}", cancellationToken: cancellationToken);
        foreach (var map in configMaps.Items)
        {
            await DeleteIgnoringMissingAsync(() => _client.CoreV1.DeleteNamespacedConfigMapAsync(map.Metadata.Name, owner.Namespace, cancellationToken: cancellationToken));
        }

        _tps.Forget($"{owner.Namespace}/{name}");
    }

    /// <summary>Endpoint clients in the cluster call: the campaign's Service.</summary>
    public static string EndpointOf(string name, string @namespace) => $"http://{name}.{@namespace}.svc.cluster.local";

    private RuntimeState StateOf(V1Deployment? deployment, RuntimeDeployment wanted)
    {
        if (deployment is null)
        {
            return new RuntimeState(false, wanted.Replicas, 0, 0, false, null, null, null);
        }

        var status = deployment.Status ?? new V1DeploymentStatus();
        var desired = deployment.Spec.Replicas ?? 1;
        var ready = status.ReadyReplicas ?? 0;
        var updated = status.UpdatedReplicas ?? 0;
        var total = status.Replicas ?? 0;
        var current = (status.ObservedGeneration ?? 0) >= (deployment.Metadata.Generation ?? 0)
            && ValueOf(deployment.Spec.Template.Metadata.Annotations, WorkloadLabels.ConfigHash) == wanted.ConfigHash;
        var complete = current && updated >= desired && ready >= desired && total <= desired && (status.AvailableReplicas ?? 0) >= desired;
        // ReplicaFailure is the ReplicaSet's FailedCreate (quota, Pod Security admission) copied up to the Deployment.
        var problem = (status.Conditions?.FirstOrDefault(c => c.Type == "ReplicaFailure" && c.Status == "True")
            ?? status.Conditions?.FirstOrDefault(c => c.Type == "Progressing" && c.Status == "False")) is { } stuck
            ? $"{stuck.Reason}: {stuck.Message}"
            : null;
        return new RuntimeState(true, desired, ready, updated, complete, EndpointOf(wanted.Name, wanted.Owner.Namespace), complete ? wanted.ServingVersion : null, null, problem);
    }

    private async Task<double?> MeasureTpsAsync(RuntimeDeployment deployment, CancellationToken cancellationToken)
    {
        var pods = await _client.CoreV1.ListNamespacedPodAsync(
            deployment.Owner.Namespace, labelSelector: $"{WorkloadLabels.Selector},{WorkloadLabels.Campaign}={deployment.Name}", cancellationToken: cancellationToken);
        var replicas = pods.Items
            .Where(p => p.Status?.PodIP is not null && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
            .ToDictionary(p => p.Metadata.Name, p => $"http://{p.Status.PodIP}:{_settings.RuntimePort.ToString(CultureInfo.InvariantCulture)}");
        return replicas.Count == 0 ? null : await _tps.MeasureAsync($"{deployment.Owner.Namespace}/{deployment.Name}", replicas, cancellationToken);
    }

    private V1Deployment RuntimeDeploymentObject(RuntimeDeployment deployment, Dictionary<string, string> labels, Dictionary<string, string> selector, string configName)
    {
        var port = _settings.RuntimePort;
        var podLabels = new Dictionary<string, string>(labels) { [WorkloadLabels.SolutionVersion] = deployment.ServingVersion };
        var result = new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Meta(deployment.Name, deployment.Owner, labels),
            Spec = new V1DeploymentSpec
            {
                Replicas = deployment.Replicas,
                Selector = new V1LabelSelector { MatchLabels = selector },
                // No ready pod goes before its replacement is ready: a version change fails no request.
                Strategy = new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = 0, MaxSurge = 1 } },
                MinReadySeconds = 5,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = podLabels, Annotations = new Dictionary<string, string> { [WorkloadLabels.ConfigHash] = deployment.ConfigHash } },
                    Spec = new V1PodSpec
                    {
                        TerminationGracePeriodSeconds = 30,
                        NodeSelector = _settings.Pods.Runtime?.NodeSelector,
                        Tolerations = _settings.Pods.Runtime?.Tolerations,
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "runtime",
                                Image = _settings.RuntimeImage,
                                Args = ["--config", "/etc/personalize/runtime.json", "--urls", $"http://0.0.0.0:{port.ToString(CultureInfo.InvariantCulture)}"],
                                Ports = [new V1ContainerPort { Name = "http", ContainerPort = port }],
                                Resources = _settings.Pods.Runtime?.Resources,
                                EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = _settings.S3SecretName } }],
                                Env = PodEnvironment(),
                                ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/readyz", Port = port }, PeriodSeconds = 2, FailureThreshold = 2 },
                                // Loading a model (and measuring its capacity) takes longer on a busy node or with a large
                                // catalogue: liveness starts once the process answers, so a slow start is not a crash loop.
                                StartupProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = port }, PeriodSeconds = 5, FailureThreshold = 60 },
                                LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = port }, PeriodSeconds = 10, FailureThreshold = 3 },
                                VolumeMounts = [new V1VolumeMount { Name = "config", MountPath = "/etc/personalize", ReadOnlyProperty = true }],
                            },
                        ],
                        Volumes = [new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = configName } }],
                    },
                },
            },
        };
        RestrictedPods.Apply(result.Spec.Template.Spec);
        if (_settings.RuntimeAuth)
        {
            RuntimeTokens.Mount(result.Spec.Template.Spec, RuntimeTokens.SecretName(deployment.Name));
        }

        return result;
    }

    private async Task ApplyServiceAsync(RuntimeDeployment deployment, Dictionary<string, string> labels, Dictionary<string, string> selector, CancellationToken cancellationToken)
    {
        var service = new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = Meta(deployment.Name, deployment.Owner, labels),
            Spec = new V1ServiceSpec
            {
                Selector = selector,
                Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = _settings.RuntimePort, Protocol = "TCP" }],
            },
        };
        await _client.CoreV1.PatchNamespacedServiceAsync(Apply(service), deployment.Name, deployment.Owner.Namespace, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
    }

    private async Task ApplyPdbAsync(RuntimeDeployment deployment, Dictionary<string, string> labels, Dictionary<string, string> selector, CancellationToken cancellationToken)
    {
        var version = _pdbApiVersion.Split('/')[1];
        var ns = deployment.Owner.Namespace;
        var pdb = Apply(new V1PodDisruptionBudget
        {
            ApiVersion = _pdbApiVersion,
            Kind = "PodDisruptionBudget",
            Metadata = Meta(deployment.Name, deployment.Owner, labels),
            Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = deployment.MaxUnavailable, Selector = new V1LabelSelector { MatchLabels = selector } },
        });
        try
        {
            await _client.CustomObjects.PatchNamespacedCustomObjectAsync(pdb, "policy", version, ns, "poddisruptionbudgets", deployment.Name, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            // A budget from an earlier operator version sets minAvailable, which may not stand beside maxUnavailable
            // and which this manager does not own: replace the budget.
            await DeleteIgnoringMissingAsync(() => _client.CustomObjects.DeleteNamespacedCustomObjectAsync("policy", version, ns, "poddisruptionbudgets", deployment.Name, cancellationToken: cancellationToken));
            await _client.CustomObjects.PatchNamespacedCustomObjectAsync(pdb, "policy", version, ns, "poddisruptionbudgets", deployment.Name, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
        }
    }

    private async Task DeleteStaleConfigMapsAsync(RuntimeDeployment deployment, string keep, CancellationToken cancellationToken)
    {
        var maps = await _client.CoreV1.ListNamespacedConfigMapAsync(deployment.Owner.Namespace, labelSelector: $"{WorkloadLabels.Campaign}={deployment.Name}", cancellationToken: cancellationToken);
        foreach (var map in maps.Items.Where(m => m.Metadata.Name != keep))
        {
            await DeleteIgnoringMissingAsync(() => _client.CoreV1.DeleteNamespacedConfigMapAsync(map.Metadata.Name, deployment.Owner.Namespace, cancellationToken: cancellationToken));
        }
    }

    private async Task<string> DetectPdbApiVersionAsync(CancellationToken cancellationToken)
    {
        // policy/v1 arrived in Kubernetes 1.21; older servers only have v1beta1.
        var groups = await _client.Apis.GetAPIVersionsAsync(cancellationToken);
        var policy = groups.Groups.FirstOrDefault(g => g.Name == "policy");
        return policy?.Versions.Any(v => v.Version == "v1") == true ? "policy/v1" : "policy/v1beta1";
    }

    // What trainer and runtime pods share: where the store is, and the cluster's log format.
    private List<V1EnvVar> PodEnvironment()
    {
        var env = new List<V1EnvVar>();
        if (_settings.S3Endpoint is { } endpoint)
        {
            env.Add(new V1EnvVar { Name = "PERSONALIZE_S3_ENDPOINT", Value = endpoint });
        }

        env.AddRange(PodLogs.Environment(_settings.PodLogFormat).Select(v => new V1EnvVar { Name = v.Key, Value = v.Value }));
        return env;
    }

    private static V1ResourceRequirements? TrainerResources(JobResources resources)
    {
        if (resources is { Cpu: null, Memory: null, Gpus: null or 0 })
        {
            return null;
        }

        var limits = new Dictionary<string, ResourceQuantity>();
        var requests = new Dictionary<string, ResourceQuantity>();
        if (resources.Cpu is { } cpu)
        {
            limits["cpu"] = requests["cpu"] = new ResourceQuantity(cpu);
        }

        if (resources.Memory is { } memory)
        {
            limits["memory"] = requests["memory"] = new ResourceQuantity(memory);
        }

        if (resources.Gpus is > 0 and var gpus)
        {
            limits["nvidia.com/gpu"] = new ResourceQuantity(gpus.ToString(CultureInfo.InvariantCulture));
        }

        return new V1ResourceRequirements { Limits = limits, Requests = requests };
    }

    /// <summary>A server-side apply of the whole object as this operator wants it: fields it set before and leaves
    /// out now are removed, fields someone else changed are set back (drift), fields others own alone are kept.</summary>
    private static V1Patch Apply(object desired) => new(desired, V1Patch.PatchType.ApplyPatch);

    private static Dictionary<string, string> LabelsFor(WorkloadOwner owner, string component) => new()
    {
        [WorkloadLabels.ManagedBy] = WorkloadLabels.ManagedByValue,
        [WorkloadLabels.Component] = component,
        [WorkloadLabels.OwnerKind] = owner.Kind,
        [WorkloadLabels.OwnerName] = KubernetesNames.LabelValue(owner.Name),
    };

    private static V1ObjectMeta Meta(string name, WorkloadOwner owner, IDictionary<string, string> labels) => new()
    {
        Name = name,
        NamespaceProperty = owner.Namespace,
        Labels = new Dictionary<string, string>(labels),
        OwnerReferences =
        [
            new V1OwnerReference { ApiVersion = ApiGroup.ApiVersion, Kind = owner.Kind, Name = owner.Name, Uid = owner.Uid, Controller = true, BlockOwnerDeletion = true },
        ],
    };

    // The controller reference names the owner in full; the owner-name label may be a shortened form.
    private void RaiseOwnerChanged(V1ObjectMeta metadata)
    {
        if (metadata.OwnerReferences?.FirstOrDefault(r => r.Controller == true && r.ApiVersion == ApiGroup.ApiVersion) is { } owner)
        {
            OwnerChanged?.Invoke(new ResourceKey(owner.Kind, metadata.NamespaceProperty, owner.Name));
        }
    }

    private static string? ValueOf(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;

    private bool Observe(V1Job job)
    {
        _jobs.Observe(job);
        return true;
    }

    private static async Task<TResult?> ReadOrNullAsync<TResult>(Func<Task<TResult>> read)
        where TResult : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task DeleteIgnoringMissingAsync<TResult>(Func<Task<TResult>> delete)
    {
        try
        {
            await delete();
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }
}
