using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Personalize.Testing;

/// <summary>
/// The PromQL the chart ships (its Grafana dashboard and its alert rules) and the metric names those queries read,
/// so tests can hold each name against the /metrics output of a real operator and runtime.
/// </summary>
public static partial class MonitoringQueries
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan",
    };

    public static string DashboardPath => Path.Combine(InfraPaths.RepoRoot, "charts", "personalize-operator", "files", "dashboards", "personalize.json");

    public static string AlertRulesPath => Path.Combine(InfraPaths.RepoRoot, "charts", "personalize-operator", "files", "alerts", "personalize.rules.yaml");

    /// <summary>Every query of the dashboard: panel targets and template-variable queries.</summary>
    public static IReadOnlyList<string> DashboardExpressions()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(DashboardPath))!;
        var targets = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]?.AsArray() ?? []).Select(t => t!["expr"]!.GetValue<string>());
        var variables = dashboard["templating"]!["list"]!.AsArray().Where(v => v!["type"]!.GetValue<string>() == "query")
            .Select(v => v!["query"]!["query"]!.GetValue<string>());
        return [.. targets, .. variables];
    }

    /// <summary>The expr of every alert rule.</summary>
    public static IReadOnlyList<string> AlertExpressions()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(AlertRulesPath))
        {
            yaml.Load(reader);
        }

        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["groups"];
        return groups.Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>())
            .Select(r => ((YamlScalarNode)r["expr"]).Value!)
            .ToList();
    }

    /// <summary>
    /// The metric names a PromQL expression (or a Grafana label_values() query) selects: what is left once strings,
    /// label matchers, ranges, grouping clauses, function calls and keywords are taken out.
    /// </summary>
    public static IReadOnlySet<string> MetricNames(string expression)
    {
        // Grafana's label_values(selector, label): the label is not a metric.
        var text = LabelValues().Replace(expression, "$1");
        text = Strings().Replace(text, " ");
        text = Matchers().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        return Identifiers().Matches(text)
            .Where(m => !m.Groups["call"].Success && !Keywords.Contains(m.Groups["name"].Value.ToLowerInvariant()))
            .Select(m => m.Groups["name"].Value)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The sample names of a Prometheus text exposition (histograms give name_bucket, name_sum, name_count).</summary>
    public static IReadOnlySet<string> ExposedNames(string metricsText) =>
        metricsText.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => SampleName().Match(line).Value)
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$")]
    private static partial Regex LabelValues();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w$.])(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifiers();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();
}
