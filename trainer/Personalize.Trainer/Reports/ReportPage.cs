using System.Globalization;
using System.Net;
using System.Text;
using Personalize.Jobs;
using Personalize.Models.Evaluation;

namespace Personalize.Trainer.Reports;

/// <summary>
/// The report as one self-contained HTML page: inline CSS and inline SVG plots, no script and nothing fetched, so it
/// opens offline from a file, an S3 console or an email attachment.
/// </summary>
internal static class ReportPage
{
    /// <summary>Earlier versions drawn beside this one (all of them are in the tables).</summary>
    public const int PreviousVersionsPlotted = 4;

    private const string Style = """
        body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 0; background: #F3F4F6; color: #111827; }
        header { background: #1E3A8A; color: white; padding: 24px 40px; }
        header h1 { margin: 0 0 6px 0; font-size: 26px; }
        header p { margin: 0; opacity: 0.85; }
        main { max-width: 960px; margin: 0 auto; padding: 24px 20px 48px 20px; }
        section { background: white; border-radius: 8px; padding: 20px 24px; margin: 0 0 20px 0; box-shadow: 0 1px 3px rgba(0,0,0,0.08); }
        h2 { font-size: 19px; margin: 0 0 12px 0; }
        .tiles { display: flex; flex-wrap: wrap; gap: 12px; }
        .tile { flex: 1 1 150px; background: white; border-radius: 8px; padding: 14px 16px; box-shadow: 0 1px 3px rgba(0,0,0,0.08); }
        .tile .label { font-size: 12px; color: #6B7280; text-transform: uppercase; letter-spacing: 0.04em; }
        .tile .value { font-size: 24px; font-weight: 600; margin-top: 4px; }
        .tile .note { font-size: 12px; color: #6B7280; }
        .up { color: #047857; } .down { color: #B91C1C; }
        figure { margin: 8px 0 16px 0; }
        figure svg { width: 100%; height: auto; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; }
        th, td { padding: 6px 8px; border-bottom: 1px solid #E5E7EB; text-align: right; }
        th:first-child, td:first-child { text-align: left; white-space: nowrap; }
        th { background: #F9FAFB; font-weight: 600; }
        tr.winner td { background: #EFF6FF; font-weight: 600; }
        code { font-size: 12px; color: #374151; }
        .muted { color: #6B7280; font-size: 13px; }
        """;

    public static string Render(TrainingReport report)
    {
        var previous = report.PreviousVersions.TakeLast(PreviousVersionsPlotted).ToList();
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append($"<title>Training report: {E(report.Version)}</title>\n<style>{Style}</style>\n</head>\n<body>\n")
            .Append($"<header><h1>Training report: {E(report.Version)}</h1><p>{E(report.Recipe)} · {E(report.TrainingMode)} training · finished {report.FinishedAt:yyyy-MM-dd HH:mm} UTC · {Duration(report.TrainingSeconds)}</p></header>\n<main>\n");
        Summary(html, report);

        html.Append("<section id=\"training\"><h2>Training</h2>\n");
        if (ReportCharts.LossPerEpoch(report) is { } loss)
        {
            Figure(html, "loss", loss);
            html.Append("<p class=\"muted\">The mean loss of each epoch over the training users (no validation metric is measured per epoch; the offline metrics below are measured once training ends).</p>\n");
        }
        else
        {
            html.Append($"<p class=\"muted\">{E(report.Recipe)} learns from counts in one pass: it has no epochs and no loss curve.</p>\n");
        }

        if (report.MetadataGate is { } gate)
        {
            html.Append($"<p id=\"metadata-gate\">Metadata: {E(gate)}.</p>\n");
        }

        html.Append("</section>\n<section id=\"metrics\"><h2>Offline metrics</h2>\n");
        Figure(html, "metrics", ReportCharts.MetricsComparison(report, previous));
        MetricsTable(html, report);
        html.Append("<p class=\"muted\">Measured on the newest 10% of interactions of a held-out 10% of users, through the scorer the runtime serves. The popularity baseline (aws-popularity-count) is trained and measured on the same users.</p>\n</section>\n");

        if (report.Objective is { } objective && report.Candidates.Count > 1)
        {
            html.Append("<section id=\"candidates\"><h2>Candidates</h2>\n");
            Figure(html, "candidates", ReportCharts.CandidateObjective(report, objective));
            CandidateTable(html, report, objective);
            html.Append("</section>\n");
        }

        var data = report.Data;
        html.Append("<section id=\"data\"><h2>Training data</h2>\n")
            .Append($"<p>{data.Interactions:N0} interactions from {data.Users:N0} users on {data.Items:N0} items (catalogue: {data.CatalogueItems:N0} items).</p>\n");
        Figure(html, "interactions-over-time", ReportCharts.InteractionsOverTime(data));
        Figure(html, "long-tail", ReportCharts.LongTail(data));
        Figure(html, "history-lengths", ReportCharts.HistoryLengths(data));
        html.Append("</section>\n<section id=\"coverage\"><h2>Coverage</h2>\n");
        var coverage = report.Metrics.GetValueOrDefault(OfflineMetrics.Coverage);
        html.Append($"<p>The top 25 recommendations for the held-out users reach {100 * coverage:0.0} % of the catalogue (about {Math.Round(coverage * data.CatalogueItems):N0} of {data.CatalogueItems:N0} items); the popularity baseline reaches {100 * report.Baseline.GetValueOrDefault(OfflineMetrics.Coverage):0.0} %.</p>\n");
        Figure(html, "coverage", ReportCharts.Coverage(report, previous));
        html.Append("</section>\n</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Summary(StringBuilder html, TrainingReport report)
    {
        html.Append("<div class=\"tiles\" style=\"margin-bottom:20px\">\n");
        foreach (var metric in new[] { OfflineMetrics.NdcgName(10), OfflineMetrics.PrecisionName(10), OfflineMetrics.MeanReciprocalRankAt25, OfflineMetrics.Coverage })
        {
            if (!report.Metrics.TryGetValue(metric, out var value))
            {
                continue;
            }

            var baseline = report.Baseline.GetValueOrDefault(metric);
            var change = baseline > 0 ? (value / baseline) - 1 : 0;
            html.Append($"<div class=\"tile\"><div class=\"label\">{E(ReportCharts.ShortName(metric))}</div><div class=\"value\">{N(value)}</div>")
                .Append($"<div class=\"note\"><span class=\"{(change >= 0 ? "up" : "down")}\">{change:+0.0%;-0.0%;0.0%}</span> vs popularity ({N(baseline)})</div></div>\n");
        }

        var (withImpressions, fromRecommendations, unresolved) = report.Impressions;
        var impressions = withImpressions == 0 && unresolved == 0 ? string.Empty
            : $"; {withImpressions:N0} with impressions ({fromRecommendations:N0} from recommendationIds), {unresolved:N0} recommendationIds unresolved";
        html.Append($"<div class=\"tile\"><div class=\"label\">training data</div><div class=\"value\">{report.Data.Interactions:N0}</div><div class=\"note\">interactions, {report.Data.Users:N0} users{E(impressions)}</div></div>\n</div>\n");
    }

    private static void MetricsTable(StringBuilder html, TrainingReport report)
    {
        var names = ReportCharts.MetricNames(report.Metrics);
        html.Append("<table><thead><tr><th>model</th>");
        foreach (var name in names)
        {
            html.Append($"<th>{E(ReportCharts.ShortName(name))}</th>");
        }

        html.Append("</tr></thead><tbody>\n");
        Row(html, names, $"{report.Version} (this version)", report.Metrics, winner: true);
        Row(html, names, "popularity baseline", report.Baseline, winner: false);
        foreach (var version in report.PreviousVersions.Reverse())
        {
            Row(html, names, $"{version.Name}{(version.Recipe is null ? string.Empty : $" ({ShortRecipe(version.Recipe)})")}", version.Metrics, winner: false);
        }

        html.Append("</tbody></table>\n");
        if (report.PreviousVersions.Count == 0)
        {
            html.Append("<p class=\"muted\">This is the solution's first ACTIVE version: there are no earlier versions to compare with.</p>\n");
        }
    }

    private static void CandidateTable(StringBuilder html, TrainingReport report, string objective)
    {
        var settings = report.Candidates.SelectMany(c => c.HyperParameters.Keys).Distinct().Order(StringComparer.Ordinal)
            .Where(k => report.Candidates.Select(c => c.HyperParameters.GetValueOrDefault(k)).Distinct().Count() > 1 || report.Candidates.Count == 1)
            .ToList();
        var metrics = ReportCharts.MetricNames(report.Candidates[0].Metrics);
        html.Append($"<p class=\"muted\">Ranked by {E(ReportCharts.ShortName(objective))}; the winner (highlighted) is the model served. Settings that differ between candidates:</p>\n")
            .Append("<table><thead><tr><th>candidate</th>");
        foreach (var name in settings)
        {
            html.Append($"<th><code>{E(name)}</code></th>");
        }

        foreach (var name in metrics)
        {
            html.Append($"<th>{E(ReportCharts.ShortName(name))}</th>");
        }

        html.Append("</tr></thead><tbody>\n");
        foreach (var candidate in report.Candidates)
        {
            html.Append(candidate.Name == report.Winner ? "<tr class=\"winner\">" : "<tr>").Append($"<td>{E(candidate.Name)}</td>");
            foreach (var name in settings)
            {
                html.Append($"<td>{E(candidate.HyperParameters.GetValueOrDefault(name) ?? "-")}</td>");
            }

            foreach (var name in metrics)
            {
                html.Append($"<td>{N(candidate.Metrics.GetValueOrDefault(name))}</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody></table>\n");
    }

    private static void Row(StringBuilder html, List<string> names, string label, IReadOnlyDictionary<string, double> metrics, bool winner)
    {
        html.Append(winner ? "<tr class=\"winner\">" : "<tr>").Append($"<td>{E(label)}</td>");
        foreach (var name in names)
        {
            html.Append($"<td>{(metrics.TryGetValue(name, out var value) ? N(value) : "-")}</td>");
        }

        html.Append("</tr>\n");
    }

    private static void Figure(StringBuilder html, string id, string svg) =>
        html.Append($"<figure class=\"plot\" id=\"plot-{id}\">\n{svg}\n</figure>\n");

    private static string ShortRecipe(string recipe) => recipe[(recipe.LastIndexOf('/') + 1)..];

    private static string Duration(double seconds) =>
        seconds < 120 ? $"{seconds:0.#} s" : seconds < 7200 ? $"{seconds / 60:0.#} min" : $"{seconds / 3600:0.#} h";

    private static string N(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
