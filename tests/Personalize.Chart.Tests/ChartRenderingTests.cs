using System.Text.Json;
using k8s;
using k8s.Models;
using Personalize.Api.Crds;
using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>What the chart renders, checked without a cluster: lint, CRD drift, values that change the output.</summary>
public sealed class ChartRenderingTests : IDisposable
{
    private readonly Helm _helm = new();

    [Fact]
    public async Task HelmLint_PassesStrict()
    {
        var lint = await _helm.RunAsync(["lint", "--strict", Helm.ChartDirectory, .. Helm.CredentialValues]);

        lint.EnsureSuccess("helm lint --strict");
        Assert.Contains("0 chart(s) failed", lint.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_WithoutS3Credentials_FailsNamingTheValues()
    {
        var result = await _helm.RunAsync(["template", "personalize", Helm.ChartDirectory]);

        Assert.False(result.Succeeded);
        Assert.Contains("s3.credentials: set existingSecret, or both accessKeyId and secretAccessKey", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void ChartCrdFiles_AreWhatTheApiClassesGenerate()
    {
        var directory = Path.Combine(Helm.ChartDirectory, "files", "crds");
        var expected = CrdGenerator.RenderFiles();
        var committed = Directory.GetFiles(directory, "*.yaml").Select(Path.GetFileName).Order().ToList();

        Assert.Equal(expected.Keys.Order(), committed);
        foreach (var (name, yaml) in expected)
        {
            Assert.True(
                yaml == File.ReadAllText(Path.Combine(directory, name)),
                $"charts/personalize-operator/files/crds/{name} differs from the API classes; run: dotnet run --project operator/Personalize.Operator -- crds");
        }
    }

    [Fact]
    public async Task RenderedCrds_EqualConfigCrd_PlusKeepPolicy()
    {
        var rendered = Manifests.OfType<V1CustomResourceDefinition>(await _helm.TemplateAsync(Helm.CredentialValues));
        var committed = Directory.GetFiles(Path.Combine(InfraPaths.RepoRoot, "config", "crd"), "*.yaml")
            .Select(f => KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(f)))
            .ToDictionary(c => c.Metadata.Name);

        Assert.Equal(committed.Keys.Order(), rendered.Select(c => c.Metadata.Name).Order());
        foreach (var crd in rendered)
        {
            Assert.Equal(CanonicalJson.Of(committed[crd.Metadata.Name].Spec), CanonicalJson.Of(crd.Spec));
            Assert.Equal("keep", crd.Metadata.Annotations["helm.sh/resource-policy"]);
        }
    }

    [Fact]
    public async Task CrdsInstallFalse_RendersNoCrd()
    {
        var yaml = await _helm.TemplateAsync([.. Helm.CredentialValues, "--set", "crds.install=false"]);

        Assert.Empty(Manifests.OfType<V1CustomResourceDefinition>(yaml));
    }

    [Fact]
    public async Task Deployment_CarriesLeaderElectionProbesAndSettings()
    {
        var yaml = await _helm.TemplateAsync(Helm.CredentialValues);
        var deployment = Manifests.Single<V1Deployment>(yaml, "personalize-operator");
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);

        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal(["run"], container.Args);
        Assert.Contains(container.Env, e => e.Name == "PERSONALIZE_LEADER_ELECTION" && e.Value == "true");
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("ghcr.io/personalize-operator/operator:0.1.0", container.Image);
        Assert.Contains(container.Env, e => e.Name == "AWS_ACCESS_KEY_ID" && e.ValueFrom.SecretKeyRef.Name == "personalize-operator-s3");
        Assert.Contains(Manifests.OfType<V1Service>(yaml), s => s.Metadata.Name == "personalize-operator-metrics");
    }

    [Fact]
    public async Task TrainerAndRuntimeValues_ReachTheOperatorEnvironment()
    {
        var yaml = await _helm.TemplateAsync(
        [
            .. Helm.CredentialValues,
            "--set", "trainer.gpus=1",
            "--set", "trainer.nodeSelector.pool=gpu",
            "--set", "runtime.tpsPerReplica=350",
            "--set", "images.trainerCuda.tag=cu128",
            "--set", "s3.endpoint=http://minio.storage:9000",
        ]);
        var env = Manifests.Single<V1Deployment>(yaml, "personalize-operator").Spec.Template.Spec.Containers[0].Env
            .Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value);
        var trainer = JsonSerializer.Deserialize<Personalize.Api.JobResources>(env["PERSONALIZE_TRAINER_DEFAULTS"])!;
        var gpu = JsonSerializer.Deserialize<Personalize.Api.JobResources>(env["PERSONALIZE_TRAINER_GPU_DEFAULTS"])!;

        Assert.Equal(1, trainer.Gpus);
        Assert.Equal("gpu", trainer.NodeSelector!["pool"]);
        Assert.Equal("4Gi", trainer.Memory);
        Assert.Equal("nvidia.com/gpu", Assert.Single(gpu.Tolerations!).Key);
        Assert.Equal("350", env["PERSONALIZE_TPS_PER_REPLICA"]);
        Assert.Equal("ghcr.io/personalize-operator/trainer-cuda:cu128", env["PERSONALIZE_TRAINER_CUDA_IMAGE"]);
        Assert.Equal("http://minio.storage:9000", env["PERSONALIZE_S3_ENDPOINT"]);
        using var runtime = JsonDocument.Parse(env["PERSONALIZE_RUNTIME_POD"]);
        Assert.Equal("500m", runtime.RootElement.GetProperty("resources").GetProperty("requests").GetProperty("cpu").GetString());
    }

    [Theory]
    [InlineData(null, "json")]
    [InlineData("simple", "simple")]
    public async Task LogFormat_SetsTheOperatorsAndGatewaysFormat_AndTheOneItGivesItsPods(string? value, string expected)
    {
        var yaml = await _helm.TemplateAsync([.. Helm.CredentialValues, .. value is null ? Array.Empty<string>() : ["--set", $"logFormat={value}"]]);
        var operatorEnv = Manifests.Single<V1Deployment>(yaml, "personalize-operator").Spec.Template.Spec.Containers[0].Env;
        var gatewayEnv = Manifests.Single<V1Deployment>(yaml, "personalize-operator-gateway").Spec.Template.Spec.Containers[0].Env;

        Assert.Contains(operatorEnv, e => e.Name == "Logging__Console__FormatterName" && e.Value == expected);
        Assert.Contains(operatorEnv, e => e.Name == "PERSONALIZE_POD_LOG_FORMAT" && e.Value == expected);
        Assert.Contains(gatewayEnv, e => e.Name == "Logging__Console__FormatterName" && e.Value == expected);
    }

    [Fact]
    public async Task LogFormat_OtherThanSimpleOrJson_FailsNamingTheValue()
    {
        var result = await _helm.RunAsync(["template", "personalize", Helm.ChartDirectory, .. Helm.CredentialValues, "--set", "logFormat=text"]);

        Assert.False(result.Succeeded);
        Assert.Contains("logFormat must be simple or json, not \"text\"", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExistingSecret_IsUsedAndNoSecretIsRendered()
    {
        var yaml = await _helm.TemplateAsync(["--set", "s3.credentials.existingSecret=my-minio-keys"]);
        var container = Manifests.Single<V1Deployment>(yaml, "personalize-operator").Spec.Template.Spec.Containers[0];

        Assert.Empty(Manifests.OfType<V1Secret>(yaml));
        Assert.Contains(container.Env, e => e.Name == "AWS_SECRET_ACCESS_KEY" && e.ValueFrom.SecretKeyRef.Name == "my-minio-keys");
    }

    [Fact]
    public async Task CreatedSecret_IsRenderedInEveryListedNamespace()
    {
        var yaml = await _helm.TemplateAsync([.. Helm.CredentialValues, "--set", "s3.credentials.namespaces={team-a,team-b}"]);

        Assert.Equal(
            ["personalize-system", "team-a", "team-b"],
            Manifests.OfType<V1Secret>(yaml).Select(s => s.Metadata.NamespaceProperty).Order());
    }

    [Fact]
    public async Task WatchNamespaces_GrantARoleInEachWithTheClusterRolesRules_AndNoClusterRole()
    {
        var clusterWide = await _helm.TemplateAsync(Helm.CredentialValues);
        var yaml = await _helm.TemplateAsync([.. Helm.CredentialValues, "--set", "operator.watchNamespaces={team-a,team-b}"]);
        var env = Manifests.Single<V1Deployment>(yaml, "personalize-operator").Spec.Template.Spec.Containers[0].Env;
        var roles = Manifests.OfType<V1Role>(yaml).Where(r => r.Metadata.Name == "personalize-operator").ToList();

        Assert.Empty(Manifests.OfType<V1ClusterRole>(yaml));
        Assert.Empty(Manifests.OfType<V1ClusterRoleBinding>(yaml));
        Assert.Equal(["team-a", "team-b"], roles.Select(r => r.Metadata.NamespaceProperty).Order());
        var clusterRules = JsonSerializer.Serialize(Manifests.Single<V1ClusterRole>(clusterWide, "personalize-operator").Rules);
        Assert.All(roles, r => Assert.Equal(clusterRules, JsonSerializer.Serialize(r.Rules)));
        Assert.Equal(
            ["team-a", "team-b"],
            Manifests.OfType<V1RoleBinding>(yaml).Where(b => b.Metadata.Name == "personalize-operator")
                .Where(b => b.RoleRef.Kind == "Role" && Assert.Single(b.Subjects).NamespaceProperty == "personalize-system")
                .Select(b => b.Metadata.NamespaceProperty).Order());
        // The leader Lease stays in the release namespace.
        Assert.Equal("personalize-system", Manifests.Single<V1Role>(yaml, "personalize-operator-leader-election").Metadata.NamespaceProperty);
        Assert.Contains(env, e => e.Name == "PERSONALIZE_WATCH_NAMESPACES" && e.Value == "team-a,team-b");
        // Trainer and runtime pods read the S3 Secret in their own namespace.
        Assert.Equal(["personalize-system", "team-a", "team-b"], Manifests.OfType<V1Secret>(yaml).Select(s => s.Metadata.NamespaceProperty).Order());
        // The runtime pods' PodMonitor (a kind the client cannot parse) looks in those namespaces only.
        var monitors = await _helm.TemplateAsync([.. Helm.CredentialValues, "--set", "operator.watchNamespaces={team-a,team-b}", "--set", "metrics.serviceMonitor.enabled=true"]);
        Assert.Contains("matchNames: [\"team-a\",\"team-b\"]", monitors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemovedWatchNamespaceValue_FailsNamingItsReplacement()
    {
        var result = await _helm.RunAsync(["template", "personalize", Helm.ChartDirectory, .. Helm.CredentialValues, "--set", "operator.watchNamespace=team-a"]);

        Assert.False(result.Succeeded);
        Assert.Contains("operator.watchNamespace was replaced by operator.watchNamespaces", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServiceMonitor_IsRenderedOnlyWhenEnabled()
    {
        var off = await _helm.TemplateAsync(Helm.CredentialValues);
        var on = await _helm.TemplateAsync([.. Helm.CredentialValues, "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.serviceMonitor.labels.release=prom"]);

        Assert.DoesNotContain("kind: ServiceMonitor", off, StringComparison.Ordinal);
        Assert.Contains("kind: ServiceMonitor", on, StringComparison.Ordinal);
        Assert.Contains("release: prom", on, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChartRbac_GrantsTheSameRulesAsConfigRbac()
    {
        var chartRole = Manifests.Single<V1ClusterRole>(await _helm.TemplateAsync(Helm.CredentialValues), "personalize-operator");
        var configRole = KubernetesYaml.Deserialize<V1ClusterRole>(
            await File.ReadAllTextAsync(Path.Combine(InfraPaths.RepoRoot, "config", "rbac", "role.yaml")));

        Assert.Equal(JsonSerializer.Serialize(configRole.Rules), JsonSerializer.Serialize(chartRole.Rules));
    }

    public void Dispose() => _helm.Dispose();
}
