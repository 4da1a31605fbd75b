using System.Diagnostics;
using System.Text;
using k8s;
using k8s.Models;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>
/// `personalize report` as a user runs it against a cluster: the real executable with a kubeconfig and the S3
/// settings in its environment, a SolutionVersion on a real API server and its report in a real S3 server.
/// </summary>
public sealed class ReportCommandTests(KubeApiServer kube, S3Server s3) : IClassFixture<KubeApiServer>, IClassFixture<S3Server>, IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("personalize-report-");

    [Fact]
    public async Task Report_CopiesTheVersionsReportFromTheObjectStore_AndPrintsItsPath_OrSaysWhyNot()
    {
        (await kube.KubectlAsync("apply", "-f", Path.Combine(InfraPaths.RepoRoot, "config", "crd"))).EnsureSuccess("kubectl apply -f config/crd");
        (await kube.KubectlAsync("wait", "--for", "condition=established", "--timeout=60s", "crd/solutionversions.personalize.io")).EnsureSuccess("the CRD to be established");
        var ns = await kube.CreateNamespaceAsync("report");
        var bucket = await s3.CreateBucketAsync();
        var reportUri = new S3Uri(bucket, $"{ns}/retail/solutions/hrnn/hrnn-v1/report.html");
        var store = ObjectStoreFactory.FromVariables(Environment(null).GetValueOrDefault);
        await store.WriteAsync(reportUri, new MemoryStream(Encoding.UTF8.GetBytes("<!DOCTYPE html><svg></svg>")), CancellationToken.None);
        using var client = kube.CreateClient();
        var entity = ApiGroup.EntityOf<SolutionVersion>();
        foreach (var name in new[] { "hrnn-v1", "hrnn-v2" })
        {
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(
                new SolutionVersion { ApiVersion = $"{entity.Group}/{entity.ApiVersion}", Kind = entity.Kind, Metadata = new V1ObjectMeta { Name = name }, Spec = new SolutionVersionSpec { SolutionRef = new ResourceRef { Name = "hrnn" } } },
                entity.Group, entity.ApiVersion, ns, entity.PluralName);
        }

        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(new { status = new { phase = "ACTIVE", reportUri = reportUri.ToString() } }, V1Patch.PatchType.MergePatch), entity.Group, entity.ApiVersion, ns, entity.PluralName, "hrnn-v1");
        var output = Path.Combine(_work.FullName, "v1.html");

        var fetched = await RunAsync("report", "hrnn-v1", "-n", ns, "--output", output);
        var missing = await RunAsync("report", "hrnn-v2", "-n", ns);
        var unknown = await RunAsync("report", "hrnn-v9", "-n", ns);

        Assert.Equal(output, fetched.EnsureSuccess("personalize report").StdOut.Trim());
        Assert.Equal("<!DOCTYPE html><svg></svg>", await File.ReadAllTextAsync(output));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("hrnn-v2 has no report yet", missing.StdErr, StringComparison.Ordinal);
        Assert.Contains($"no SolutionVersion {ns}/hrnn-v9", unknown.StdErr, StringComparison.Ordinal);
    }

    private async Task<ProcessResult> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _work.FullName };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "personalize.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in Environment(kube.KubeconfigPath))
        {
            start.Environment[name] = value;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await ProcessRunner.RunAsync(start, standardInput: null, timeout.Token);
    }

    private Dictionary<string, string> Environment(string? kubeconfig)
    {
        var variables = new Dictionary<string, string>
        {
            [ObjectStoreFactory.EndpointVariable] = s3.Endpoint,
            [ObjectStoreFactory.AccessKeyVariable] = s3.AccessKey,
            [ObjectStoreFactory.SecretKeyVariable] = s3.SecretKey,
            [ObjectStoreFactory.RegionVariable] = s3.Region,
        };
        if (kubeconfig is not null)
        {
            variables["KUBECONFIG"] = kubeconfig;
        }

        return variables;
    }

    public void Dispose() => _work.Delete(recursive: true);
}
