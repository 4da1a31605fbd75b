using System.Text.Json.Nodes;
using k8s.Models;
using Personalize.Testing;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Personalize.Chart.Tests;

/// <summary>
/// The chart's Grafana dashboard and alert rules: rendered only when asked for, in the shape Grafana's sidecar and
/// prometheus-operator read, and every query reading only metrics the operator and runtime export (the names are
/// checked against real /metrics output in the operator and runtime tests).
/// </summary>
public sealed class MonitoringTests : IDisposable
{
    private readonly Helm _helm = new();

    [Fact]
    public async Task HelmLint_PassesStrict_WithDashboardAlertsAndMonitorsOn()
    {
        var lint = await _helm.RunAsync(
        [
            "lint", "--strict", Helm.ChartDirectory, .. Helm.CredentialValues, "--set", "grafana.dashboards.enabled=true",
            "--set", "prometheusRules.enabled=true", "--set", "metrics.serviceMonitor.enabled=true",
        ]);

        lint.EnsureSuccess("helm lint --strict");
        Assert.Contains("0 chart(s) failed", lint.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_IsAConfigMapForTheGrafanaSidecar_OnlyWhenEnabled()
    {
        var off = await _helm.TemplateAsync(Helm.CredentialValues);
        var on = await _helm.TemplateAsync([.. Helm.CredentialValues, "--set", "grafana.dashboards.enabled=true", "--set", "grafana.dashboards.annotations.grafana_folder=Personalize"]);

        Assert.DoesNotContain(Manifests.OfType<V1ConfigMap>(off), c => c.Metadata.Labels?.ContainsKey("grafana_dashboard") == true);
        var map = Manifests.Single<V1ConfigMap>(on, "personalize-operator-dashboard");
        Assert.Equal("1", map.Metadata.Labels["grafana_dashboard"]);
        Assert.Equal("Personalize", map.Metadata.Annotations["grafana_folder"]);
        var dashboard = JsonNode.Parse(map.Data["personalize.json"])!;
        Assert.Equal(JsonNode.Parse(await File.ReadAllTextAsync(MonitoringQueries.DashboardPath))!.ToJsonString(), dashboard.ToJsonString());
        Assert.Equal("personalize-operator", dashboard["uid"]!.GetValue<string>());

        var variables = dashboard["templating"]!["list"]!.AsArray().Select(v => v!["name"]!.GetValue<string>()).ToList();
        var panels = dashboard["panels"]!.AsArray().Select(p => p!).ToList();
        var graphs = panels.Where(p => p["type"]!.GetValue<string>() != "row").ToList();
        Assert.Equal(["datasource", "namespace", "campaign"], variables);
        Assert.Contains(panels, p => p["type"]!.GetValue<string>() == "row" && p["repeat"]?.GetValue<string>() == "campaign");
        Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
        Assert.All(graphs, panel =>
        {
            var targets = panel["targets"]!.AsArray();
            Assert.NotEmpty(targets);
            Assert.All(targets, t => Assert.False(string.IsNullOrWhiteSpace(t!["expr"]!.GetValue<string>()), $"{panel["title"]}: empty query"));
            Assert.Equal(targets.Count, targets.Select(t => t!["refId"]!.GetValue<string>()).Distinct().Count());
            Assert.Equal("${datasource}", panel["datasource"]!["uid"]!.GetValue<string>());
            Assert.NotNull(panel["gridPos"]);
        });
        Assert.Equal(
            ["TPS vs provisioned TPS", "Latency p50 / p99", "Replicas", "Shed and error rates", "Real-time event ingest", "Reconciles", "Reconcile errors and p99 duration", "Work queue depth", "Resources by phase", "Leader"],
            graphs.Select(p => p["title"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AlertRules_AreAPrometheusRule_OnlyWhenEnabled()
    {
        var off = await _helm.TemplateAsync(Helm.CredentialValues);
        var on = await _helm.TemplateAsync([.. Helm.CredentialValues, "--set", "prometheusRules.enabled=true", "--set", "prometheusRules.labels.release=prom"]);

        Assert.DoesNotContain("kind: PrometheusRule", off, StringComparison.Ordinal);
        var rule = Documents(on).Single(d => Scalar(d, "kind") == "PrometheusRule");
        var metadata = (YamlMappingNode)rule["metadata"];
        Assert.Equal("prom", Scalar((YamlMappingNode)metadata["labels"], "release"));
        var alerts = ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)rule["spec"])["groups"])[0])["rules"])
            .Cast<YamlMappingNode>().Select(r => Scalar(r, "alert")).ToList();
        Assert.Equal(["PersonalizeCampaignShedding", "PersonalizeTrainingFailed", "PersonalizeImportFailed"], alerts);
        Assert.Equal(MonitoringQueries.AlertExpressions().Count, alerts.Count);
    }

    [Fact]
    public async Task ServiceMonitor_AlsoScrapesEveryCampaignsRuntimePods()
    {
        var yaml = await _helm.TemplateAsync([.. Helm.CredentialValues, "--set", "metrics.serviceMonitor.enabled=true"]);
        var podMonitor = Documents(yaml).Single(d => Scalar(d, "kind") == "PodMonitor");
        var serviceMonitor = Documents(yaml).Single(d => Scalar(d, "kind") == "ServiceMonitor");

        var spec = (YamlMappingNode)podMonitor["spec"];
        Assert.Equal("true", Scalar((YamlMappingNode)spec["namespaceSelector"], "any"));
        Assert.Equal("runtime", Scalar((YamlMappingNode)((YamlMappingNode)spec["selector"])["matchLabels"], "app.kubernetes.io/component"));
        // The operator's per-campaign series keep the campaign's namespace label rather than the operator pod's.
        Assert.Equal("true", Scalar((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)serviceMonitor["spec"])["endpoints"])[0], "honorLabels"));
    }

    [Fact]
    public void EveryQuery_ReadsOnlyTheOperatorsAndRuntimesMetrics()
    {
        var expressions = MonitoringQueries.DashboardExpressions().Concat(MonitoringQueries.AlertExpressions()).ToList();

        Assert.True(expressions.Count > 15, $"only {expressions.Count} queries found");
        Assert.All(expressions, expression =>
        {
            var names = MonitoringQueries.MetricNames(expression);
            Assert.NotEmpty(names);
            Assert.All(names, name => Assert.True(
                name.StartsWith("personalize_operator_", StringComparison.Ordinal) || name.StartsWith("personalize_runtime_", StringComparison.Ordinal),
                $"{name} (in {expression}) is not a metric of the operator or runtime"));
        });
    }

    [Fact]
    public void MetricNames_TakeOutLabelsFunctionsAndGrouping()
    {
        var names = MonitoringQueries.MetricNames(
            """histogram_quantile(0.99, sum by (le) (rate(a_bucket{operation=~"Get.*", x="by (y)"}[$__rate_interval]) * on (namespace, pod) group_left (campaign) max by (namespace, pod, campaign) (b_info{campaign=~"$campaign"}))) > bool 0""");

        Assert.Equal(["a_bucket", "b_info"], names.Order());
        Assert.Equal(["c_total"], MonitoringQueries.MetricNames("""label_values(c_total{namespace=~"$namespace"}, campaign)"""));
    }

    private static List<YamlMappingNode> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    public void Dispose() => _helm.Dispose();
}
