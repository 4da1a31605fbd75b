using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Testing;

namespace Personalize.Operator.Tests;

/// <summary>
/// What a test does as the user (create, read, edit, delete resources), as the kubelet (mark Jobs and Deployments
/// done, since no kubelet runs here) and as the trainer (write its JobResult and progress into S3).
/// </summary>
public sealed class TestCluster(OperatorEnvironment env, string @namespace) : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(40);

    public Kubernetes Client { get; } = env.Client();

    public string Namespace { get; } = @namespace;

    public static async Task<TestCluster> CreateAsync(OperatorEnvironment env, string prefix) =>
        new(env, await env.Kube.CreateNamespaceAsync(prefix));

    public async Task<T> CreateAsync<T>(T resource)
        where T : class, IPersonalizeResource
    {
        var e = ApiGroup.EntityOf<T>();
        return await Client.CustomObjects.CreateNamespacedCustomObjectAsync<T>(resource, e.Group, e.ApiVersion, Namespace, e.PluralName);
    }

    public async Task<T> GetAsync<T>(string name)
        where T : class, IPersonalizeResource
    {
        var e = ApiGroup.EntityOf<T>();
        return await Client.CustomObjects.GetNamespacedCustomObjectAsync<T>(e.Group, e.ApiVersion, Namespace, e.PluralName, name);
    }

    public async Task<T?> FindAsync<T>(string name)
        where T : class, IPersonalizeResource
    {
        try
        {
            return await GetAsync<T>(name);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Edits the spec with a JSON merge patch, as `kubectl patch --type merge` would.</summary>
    public async Task PatchSpecAsync<T>(string name, string mergePatchJson)
        where T : class, IPersonalizeResource
    {
        var e = ApiGroup.EntityOf<T>();
        await Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(mergePatchJson, V1Patch.PatchType.MergePatch), e.Group, e.ApiVersion, Namespace, e.PluralName, name);
    }

    public async Task DeleteAsync<T>(string name)
        where T : class, IPersonalizeResource
    {
        var e = ApiGroup.EntityOf<T>();
        await Client.CustomObjects.DeleteNamespacedCustomObjectAsync(e.Group, e.ApiVersion, Namespace, e.PluralName, name);
    }

    public async Task<T> WaitForAsync<T>(string name, Func<T, bool> condition, string what, TimeSpan? timeout = null)
        where T : class, IPersonalizeResource
    {
        T? last = null;
        try
        {
            await Wait.UntilAsync(async _ =>
            {
                last = await GetAsync<T>(name);
                return condition(last);
            }, timeout ?? DefaultTimeout, $"{typeof(T).Name} {name}: {what}");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} Last status: {KubernetesJson.Serialize(last?.CommonStatus)}", ex);
        }

        return last!;
    }

    public Task<T> WaitForPhaseAsync<T>(string name, string phase, TimeSpan? timeout = null)
        where T : class, IPersonalizeResource =>
        WaitForAsync<T>(name, r => r.CommonStatus.Phase == phase, $"phase {phase}", timeout);

    public async Task WaitGoneAsync<T>(string name)
        where T : class, IPersonalizeResource =>
        await Wait.UntilAsync(async _ => await FindAsync<T>(name) is null, DefaultTimeout, $"{typeof(T).Name} {name} to be deleted");

    public async Task<V1Job> WaitForJobAsync(Func<V1Job, bool>? match = null)
    {
        V1Job? found = null;
        await Wait.UntilAsync(async t =>
        {
            var jobs = await Client.BatchV1.ListNamespacedJobAsync(Namespace, cancellationToken: t);
            found = jobs.Items.FirstOrDefault(j => match?.Invoke(j) ?? true);
            return found is not null;
        }, DefaultTimeout, "a trainer Job");
        return found!;
    }

    public async Task<V1Deployment> WaitForDeploymentAsync(string labelSelector)
    {
        V1Deployment? found = null;
        await Wait.UntilAsync(async t =>
        {
            found = (await Client.AppsV1.ListNamespacedDeploymentAsync(Namespace, labelSelector: labelSelector, cancellationToken: t)).Items.FirstOrDefault();
            return found is not null;
        }, DefaultTimeout, $"a Deployment with {labelSelector}");
        return found!;
    }

    public async Task<IList<V1Job>> JobsAsync() => (await Client.BatchV1.ListNamespacedJobAsync(Namespace)).Items;

    /// <summary>Plays kubelet: the Job's pod ran and the Job controller recorded the outcome.</summary>
    public async Task FinishJobAsync_AsFakeKubelet(string jobName, bool succeeded, string? message = null)
    {
        // A running Job controller owns the Job's status: it rewrites the whole status from the pods it counts, and a
        // sync that began before a patch of ours lands after it and erases it. There the kubelet's part is the pod's.
        if (env.Kube.HasControllerManager && await PodOfJobAsync(jobName) is { } pod)
        {
            if (!succeeded)
            {
                throw new NotSupportedException("With the Job controller running, a failed pod is retried up to the backoff limit; no test here fails a Job that has a pod.");
            }

            await Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch("""{"status":{"phase":"Succeeded"}}""", V1Patch.PatchType.MergePatch), pod.Metadata.Name, Namespace);
            await WaitForJobAsync(j => j.Metadata.Name == jobName && j.Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true);
            return;
        }

        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var condition = succeeded
            ? $$"""{"type":"Complete","status":"True","lastProbeTime":"{{now}}","lastTransitionTime":"{{now}}"}"""
            : $$"""{"type":"Failed","status":"True","reason":"BackoffLimitExceeded","message":"{{message ?? "Job has reached the specified backoff limit"}}","lastProbeTime":"{{now}}","lastTransitionTime":"{{now}}"}""";
        var counts = succeeded ? "\"succeeded\":1" : "\"failed\":1";
        var completion = succeeded ? $",\"completionTime\":\"{now}\"" : string.Empty;
        var patch = $$$"""{"status":{"startTime":"{{{now}}}"{{{completion}}},{{{counts}}},"conditions":[{{{condition}}}]}}""";
        await Client.BatchV1.PatchNamespacedJobStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), jobName, Namespace);
    }

    /// <summary>The pod the Job controller made for a Job, or null once the controller says it could not make one.</summary>
    private async Task<V1Pod?> PodOfJobAsync(string jobName)
    {
        V1Pod? pod = null;
        await Wait.UntilAsync(async t =>
        {
            pod = (await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: $"job-name={jobName}", cancellationToken: t)).Items.FirstOrDefault();
            if (pod is not null)
            {
                return true;
            }

            var refused = await Client.CoreV1.ListNamespacedEventAsync(Namespace, fieldSelector: $"involvedObject.name={jobName},reason=FailedCreate", cancellationToken: t);
            return refused.Items.Count > 0;
        }, DefaultTimeout, $"the pod of Job {jobName}, or a FailedCreate event saying why it has none");
        return pod;
    }

    /// <summary>Plays kubelet: the Job's pod is running.</summary>
    public async Task MarkJobRunningAsync_AsFakeKubelet(string jobName)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        await Client.BatchV1.PatchNamespacedJobStatusAsync(new V1Patch($$$"""{"status":{"startTime":"{{{now}}}","active":1}}""", V1Patch.PatchType.MergePatch), jobName, Namespace);
    }

    /// <summary>Plays the trainer: writes the result JSON where the job spec says.</summary>
    public async Task WriteResultAsync_AsFakeTrainer(V1Job job, JobResult result)
    {
        var spec = await JobSpecOfAsync(job);
        await env.Objects.WriteAsync(S3Uri.Parse(spec.ResultUri), new MemoryStream(Encoding.UTF8.GetBytes(JobJson.Serialize(result))), CancellationToken.None);
    }

    public async Task WriteProgressAsync_AsFakeTrainer(V1Job job, JobProgress progress)
    {
        var spec = await JobSpecOfAsync(job);
        var line = System.Text.Json.JsonSerializer.Serialize(progress, JobJson.Options).ReplaceLineEndings(string.Empty) + "\n";
        await env.Objects.WriteAsync(S3Uri.Parse(spec.ProgressUri!), new MemoryStream(Encoding.UTF8.GetBytes(line)), CancellationToken.None);
    }

    public async Task<JobSpec> JobSpecOfAsync(V1Job job)
    {
        var map = await Client.CoreV1.ReadNamespacedConfigMapAsync(job.Spec.Template.Spec.Volumes[0].ConfigMap.Name, Namespace);
        return JobJson.Deserialize<JobSpec>(map.Data[JobSpec.FileName]);
    }

    /// <summary>Plays kubelet and the Deployment controller: every replica of the current template is ready.</summary>
    public async Task MarkDeploymentReadyAsync_AsFakeKubelet(string name)
    {
        var deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync(name, Namespace);
        var replicas = (deployment.Spec.Replicas ?? 1).ToString(CultureInfo.InvariantCulture);
        var generation = (deployment.Metadata.Generation ?? 1).ToString(CultureInfo.InvariantCulture);
        var patch = $$$"""{"status":{"observedGeneration":{{{generation}}},"replicas":{{{replicas}}},"updatedReplicas":{{{replicas}}},"readyReplicas":{{{replicas}}},"availableReplicas":{{{replicas}}}}}""";
        await Client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, Namespace);
    }

    public static JobResult Succeeded(Action<JobResult>? fill = null)
    {
        var result = new JobResult { Status = JobResult.Succeeded, StartedAt = DateTimeOffset.UtcNow.AddSeconds(-5), FinishedAt = DateTimeOffset.UtcNow };
        fill?.Invoke(result);
        return result;
    }

    public static JobResult ImportSucceeded(long rows = 1000) => Succeeded(r => r.Import = new ImportJobResult { RowsRead = rows, RowsImported = rows, DatasetRowCount = rows, DistinctUsers = 10, DistinctItems = 20 });

    public static JobResult TrainSucceeded(string modelUri, string recipe = "aws-hrnn") => Succeeded(r => r.Train = new TrainJobResult
    {
        Recipe = recipe,
        ModelUri = modelUri,
        TrainingSeconds = 42,
        Interactions = 1000,
        Metrics = new() { ["normalized_discounted_cumulative_gain_at_10"] = 0.31, ["precision_at_25"] = 0.05 },
    });

    /// <summary>The sample dataset group with its interactions schema and dataset: where most chains start.</summary>
    public async Task CreateInteractionsDatasetAsync()
    {
        await CreateAsync(Samples.Group(Namespace));
        await CreateAsync(Samples.Schema(Namespace));
        await CreateAsync(Samples.Dataset(Namespace));
    }

    /// <summary>Runs the sample chain up to an ACTIVE SolutionVersion, playing kubelet and trainer.</summary>
    public async Task<SolutionVersion> TrainedVersionAsync(string version = "hrnn-v1")
    {
        await CreateInteractionsDatasetAsync();
        await CreateAsync(Samples.Import(Namespace));
        await CreateAsync(Samples.Solution(Namespace));
        await CreateAsync(Samples.Version(Namespace, version));
        var import = await WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-", StringComparison.Ordinal));
        await WriteResultAsync_AsFakeTrainer(import, ImportSucceeded());
        await FinishJobAsync_AsFakeKubelet(import.Metadata.Name, succeeded: true);
        var train = await WaitForJobAsync(j => j.Metadata.Name.StartsWith("train-", StringComparison.Ordinal));
        var spec = await JobSpecOfAsync(train);
        await WriteResultAsync_AsFakeTrainer(train, TrainSucceeded(spec.Train!.ModelUri));
        await FinishJobAsync_AsFakeKubelet(train.Metadata.Name, succeeded: true);
        return await WaitForPhaseAsync<SolutionVersion>(version, Phases.Active);
    }

    /// <summary>Creates a campaign and plays the kubelet that makes its runtime Deployment ready.</summary>
    public async Task StartCampaignAsync(Campaign campaign)
    {
        await CreateAsync(campaign);
        await WaitForPhaseAsync<Campaign>(campaign.Metadata.Name, Phases.CreateInProgress);
        await MarkDeploymentReadyAsync_AsFakeKubelet(campaign.Metadata.Name);
    }

    /// <summary>Trains one more version of the sample solution (after <see cref="TrainedVersionAsync"/>), playing kubelet and trainer.</summary>
    public async Task<SolutionVersion> TrainAnotherVersionAsync(string version)
    {
        await CreateAsync(Samples.Version(Namespace, version));
        var job = await WaitForJobAsync(j => j.Metadata.Name.StartsWith($"train-{version}-", StringComparison.Ordinal));
        var spec = await JobSpecOfAsync(job);
        await WriteResultAsync_AsFakeTrainer(job, TrainSucceeded(spec.Train!.ModelUri));
        await FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: true);
        return await WaitForPhaseAsync<SolutionVersion>(version, Phases.Active);
    }

    public void Dispose() => Client.Dispose();
}
