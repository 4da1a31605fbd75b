using System.Diagnostics;
using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Testing;

// Creates N campaign chains (DatasetGroup, Schema, Dataset, DatasetImportJob, Solution, SolutionVersion, Campaign:
// 7 resources each) at once against a real kube-apiserver, with the operator running as its own process
// (`personalize run`), this program playing kubelet and trainer, and reports the time until every campaign is
// ACTIVE, the operator's reconciles per second and its peak resident memory.
// usage: Personalize.Bench.Operator [chains=143] [path/to/personalize.dll]
var chains = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 143;
var operatorDll = args.Length > 1 ? args[1] : Path.Combine(InfraPaths.RepoRoot, "operator", "Personalize.Operator", "bin", "Release", "net10.0", "personalize.dll");
if (!File.Exists(operatorDll))
{
    Console.Error.WriteLine($"{operatorDll} not found: dotnet build -c Release operator/Personalize.Operator first");
    return 2;
}

await using var kube = new KubeApiServer();
await using var s3 = new S3Server();
await Task.WhenAll(kube.InitializeAsync(), s3.InitializeAsync());
var bucket = await s3.CreateBucketAsync();
using var objects = new MinioObjectStore(s3.CreateClient());
(await kube.KubectlAsync("apply", "-f", Path.Combine(InfraPaths.RepoRoot, "config", "crd"))).EnsureSuccess("install CRDs");
(await kube.KubectlAsync("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all")).EnsureSuccess("CRDs established");
await Wait.UntilAsync(
    async _ => (await kube.KubectlAsync("get", "--raw", "/openapi/v2")).StdOut.Contains("io.personalize.v1alpha1.SolutionVersion\"", StringComparison.Ordinal),
    TimeSpan.FromSeconds(60), "the OpenAPI document", interval: TimeSpan.FromMilliseconds(500));
var ns = await kube.CreateNamespaceAsync("bench");
using var client = kube.CreateClient();

var metricsPort = FreePort.Next();
var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
foreach (var argument in new[] { operatorDll, "run", $"--watch-namespace={ns}", "--leader-election=false", $"--metrics-port={metricsPort}", $"--bucket={bucket}", "--poll-seconds=2", "--workers=8" })
{
    start.ArgumentList.Add(argument);
}

start.Environment["KUBECONFIG"] = kube.KubeconfigPath;
start.Environment["PERSONALIZE_S3_ENDPOINT"] = s3.Endpoint;
start.Environment["AWS_ACCESS_KEY_ID"] = s3.AccessKey;
start.Environment["AWS_SECRET_ACCESS_KEY"] = s3.SecretKey;
start.Environment["AWS_REGION"] = s3.Region;
using var op = Process.Start(start)!;
op.OutputDataReceived += (_, _) => { };
op.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
op.BeginOutputReadLine();
op.BeginErrorReadLine();
using var http = new HttpClient();
await Wait.UntilAsync(async t => (await http.GetAsync($"http://127.0.0.1:{metricsPort}/readyz", t)).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "operator readiness");
var reconcilesBefore = await ReconcilesAsync();

var stopwatch = Stopwatch.StartNew();
using var fakes = new CancellationTokenSource();
var peak = 0L;
var sampler = Task.Run(async () =>
{
    while (!fakes.IsCancellationRequested)
    {
        peak = Math.Max(peak, ResidentBytes(op.Id));
        await Task.Delay(200, CancellationToken.None);
    }
});

// Everything at once: 7 resources per chain, created concurrently.
var schema = """{"type":"record","name":"Interactions","fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"}]}""";
await Parallel.ForEachAsync(Enumerable.Range(0, chains), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, t) =>
{
    var n = $"c{i.ToString(CultureInfo.InvariantCulture)}";
    IPersonalizeResource[] chain =
    [
        new DatasetGroup { Metadata = Meta(n) },
        new Schema { Metadata = Meta(n), Spec = new SchemaSpec { SchemaJson = schema } },
        new Dataset { Metadata = Meta(n), Spec = new DatasetSpec { DatasetGroupRef = Ref(n), SchemaRef = Ref(n), DatasetType = "Interactions" } },
        new DatasetImportJob { Metadata = Meta(n), Spec = new DatasetImportJobSpec { DatasetRef = Ref(n), DataSource = new DataSource { DataLocation = "s3://input/x.csv" } } },
        new Solution { Metadata = Meta(n), Spec = new SolutionSpec { DatasetGroupRef = Ref(n), RecipeArn = "arn:aws:personalize:::recipe/aws-sims" } },
        new SolutionVersion { Metadata = Meta(n), Spec = new SolutionVersionSpec { SolutionRef = Ref(n) } },
        new Campaign { Metadata = Meta(n), Spec = new CampaignSpec { SolutionVersionRef = Ref(n), MinProvisionedTPS = 1 } },
    ];
    foreach (var resource in chain)
    {
        var e = ApiGroup.EntityOf(resource.GetType());
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(resource, e.Group, e.ApiVersion, ns, e.PluralName, cancellationToken: t);
    }
});
var created = stopwatch.Elapsed;

// Kubelet and trainer: finish every Job with a result, make every Deployment ready, until all campaigns are ACTIVE.
var done = new HashSet<string>();
while (true)
{
    var jobs = await client.BatchV1.ListNamespacedJobAsync(ns);
    await Parallel.ForEachAsync(jobs.Items.Where(j => j.Status?.Conditions is not { Count: > 0 } && done.Add(j.Metadata.Name)), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (job, t) =>
    {
        var map = await client.CoreV1.ReadNamespacedConfigMapAsync(job.Metadata.Name, ns, cancellationToken: t);
        var spec = JobJson.Deserialize<JobSpec>(map.Data[JobSpec.FileName]);
        var now = DateTimeOffset.UtcNow;
        var result = new JobResult { StartedAt = now, FinishedAt = now };
        if (spec.Import is not null) result.Import = new ImportJobResult { RowsRead = 100, RowsImported = 100, DatasetRowCount = 100 };
        if (spec.Train is not null) result.Train = new TrainJobResult { Recipe = "aws-sims", ModelUri = spec.Train.ModelUri, Metrics = new() { ["precision_at_25"] = 0.1 } };
        await objects.WriteAsync(S3Uri.Parse(spec.ResultUri), new MemoryStream(Encoding.UTF8.GetBytes(JobJson.Serialize(result))), t);
        var stamp = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var patch = $$$"""{"status":{"startTime":"{{{stamp}}}","completionTime":"{{{stamp}}}","succeeded":1,"conditions":[{"type":"Complete","status":"True","lastTransitionTime":"{{{stamp}}}"}]}}""";
        await client.BatchV1.PatchNamespacedJobStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), job.Metadata.Name, ns, cancellationToken: t);
    });
    var deployments = await client.AppsV1.ListNamespacedDeploymentAsync(ns);
    await Parallel.ForEachAsync(deployments.Items.Where(d => d.Status?.ObservedGeneration != d.Metadata.Generation), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (d, t) =>
    {
        var r = (d.Spec.Replicas ?? 1).ToString(CultureInfo.InvariantCulture);
        var patch = $$$"""{"status":{"observedGeneration":{{{d.Metadata.Generation}}},"replicas":{{{r}}},"updatedReplicas":{{{r}}},"readyReplicas":{{{r}}},"availableReplicas":{{{r}}}}}""";
        await client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), d.Metadata.Name, ns, cancellationToken: t);
    });
    var campaigns = await client.CustomObjects.ListNamespacedCustomObjectAsync<CustomResourceList<Campaign>>(ApiGroup.Group, ApiGroup.Version, ns, "campaigns");
    var active = campaigns.Items.Count(c => c.Status.Phase == Phases.Active);
    if (active == chains)
    {
        break;
    }

    if (stopwatch.Elapsed > TimeSpan.FromMinutes(15))
    {
        Console.Error.WriteLine($"timed out with {active}/{chains} campaigns ACTIVE");
        return 1;
    }

    await Task.Delay(500);
}

var steady = stopwatch.Elapsed;
var reconciles = await ReconcilesAsync() - reconcilesBefore;
await fakes.CancelAsync();
await sampler;
op.Kill(entireProcessTree: true);
await op.WaitForExitAsync();

Console.WriteLine($"chains={chains} resources={chains * 7} created_in={created.TotalSeconds:0.0}s all_active_after={steady.TotalSeconds:0.0}s reconciles={reconciles:0} reconciles_per_s={reconciles / steady.TotalSeconds:0.0} operator_peak_rss_mib={peak / 1024.0 / 1024.0:0.0}");
return 0;

V1ObjectMeta Meta(string name) => new() { Name = name, NamespaceProperty = ns };

ResourceRef Ref(string name) => new() { Name = name };

async Task<double> ReconcilesAsync()
{
    var text = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
    return text.Split('\n').Where(l => l.StartsWith("personalize_operator_reconciles_total{", StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}

static long ResidentBytes(int pid)
{
    try
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
    catch (IOException)
    {
        return 0;
    }
}
