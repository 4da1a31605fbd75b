using System.Globalization;
using Personalize.Jobs;
using Personalize.Models.Evaluation;
using ScottPlot;

namespace Personalize.Trainer.Reports;

/// <summary>
/// The report's plots, drawn by ScottPlot as SVG to embed inline. Text is measured with DejaVu Sans (the trainer
/// images install fonts-dejavu-core) and drawn by the browser, so it stays sharp and selectable.
/// </summary>
internal static class ReportCharts
{
    public const int Width = 880;
    public const int Height = 340;
    private const string FontName = "DejaVu Sans";

    private static readonly Color Current = Color.FromHex("#2563EB");
    private static readonly Color Baseline = Color.FromHex("#9CA3AF");
    private static readonly Color[] Others = [Color.FromHex("#F59E0B"), Color.FromHex("#10B981"), Color.FromHex("#EF4444"), Color.FromHex("#8B5CF6"), Color.FromHex("#EC4899"), Color.FromHex("#14B8A6")];

    /// <summary>Mean training loss per epoch, one line per model trained; null when no model trains in epochs.</summary>
    public static string? LossPerEpoch(TrainingReport report)
    {
        var trained = report.Candidates.Where(c => c.Epochs.Count > 0).ToList();
        if (trained.Count == 0)
        {
            return null;
        }

        var plot = NewPlot("Training loss per epoch", "epoch", "mean cross-entropy loss");
        for (var i = 0; i < trained.Count; i++)
        {
            var candidate = trained[i];
            var line = plot.Add.Scatter(candidate.Epochs.Select(e => (double)e.Epoch).ToArray(), candidate.Epochs.Select(e => e.Loss).ToArray());
            line.Color = candidate.Name == report.Winner ? Current : Others[i % Others.Length];
            line.LineWidth = candidate.Name == report.Winner ? 3 : 2;
            line.MarkerSize = 6;
            line.LegendText = trained.Count > 1 ? candidate.Name + (candidate.Name == report.Winner ? " (winner)" : string.Empty) : candidate.Name;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Alignment.UpperRight);
        return Svg(plot);
    }

    /// <summary>The offline metrics of this version beside the popularity baseline and the latest earlier versions.</summary>
    public static string MetricsComparison(TrainingReport report, IReadOnlyList<TrainedVersion> previous)
    {
        var names = MetricNames(report.Metrics);
        var series = new List<(string Label, IReadOnlyDictionary<string, double> Metrics, Color Color)>
        {
            (report.Version + " (this version)", report.Metrics, Current),
            ("popularity baseline", report.Baseline, Baseline),
        };
        series.AddRange(previous.Select((v, i) => (v.Name, (IReadOnlyDictionary<string, double>)v.Metrics, Others[i % Others.Length])));
        var plot = NewPlot("Offline metrics on held-out users", null, "value (higher is better)");
        GroupedBars(plot, names.Select(ShortName).ToArray(), series.Select(s => (s.Label, names.Select(n => s.Metrics.GetValueOrDefault(n)).ToArray(), s.Color)).ToList());
        return Svg(plot);
    }

    /// <summary>Every AutoML / HPO candidate's objective metric, the winner highlighted.</summary>
    public static string CandidateObjective(TrainingReport report, string objective)
    {
        var plot = NewPlot($"Candidates by {ShortName(objective)}", null, ShortName(objective));
        var bars = report.Candidates.Select((c, i) => new Bar
        {
            Position = i,
            Value = c.Metrics.GetValueOrDefault(objective),
            FillColor = c.Name == report.Winner ? Current : Baseline,
            Label = c.Metrics.GetValueOrDefault(objective).ToString("0.0000", CultureInfo.InvariantCulture),
        }).ToList();
        var bar = plot.Add.Bars(bars);
        bar.ValueLabelStyle.FontName = FontName;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, bars.Count).Select(i => (double)i).ToArray(), report.Candidates.Select(c => c.Name).ToArray());
        plot.Axes.Margins(bottom: 0, top: 0.15);
        return Svg(plot);
    }

    /// <summary>Coverage (share of the catalogue the top 25 reach over the held-out users) per model compared.</summary>
    public static string Coverage(TrainingReport report, IReadOnlyList<TrainedVersion> previous)
    {
        var entries = new List<(string Label, double Value, Color Color)>
        {
            (report.Version, report.Metrics.GetValueOrDefault(OfflineMetrics.Coverage), Current),
            ("popularity baseline", report.Baseline.GetValueOrDefault(OfflineMetrics.Coverage), Baseline),
        };
        entries.AddRange(previous.Select((v, i) => (v.Name, v.Metrics.GetValueOrDefault(OfflineMetrics.Coverage), Others[i % Others.Length])));
        var plot = NewPlot("Catalogue coverage of the recommendations", null, "share of catalogue items (%)");
        var bars = entries.Select((e, i) => new Bar
        {
            Position = i,
            Value = 100 * e.Value,
            FillColor = e.Color,
            Label = (100 * e.Value).ToString("0.0", CultureInfo.InvariantCulture) + " %",
        }).ToList();
        var bar = plot.Add.Bars(bars);
        bar.ValueLabelStyle.FontName = FontName;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, entries.Count).Select(i => (double)i).ToArray(), entries.Select(e => e.Label).ToArray());
        plot.Axes.SetLimitsY(0, 110);
        return Svg(plot);
    }

    public static string InteractionsOverTime(DataProfile data)
    {
        var plot = NewPlot("Interactions per day", null, "interactions");
        var bars = plot.Add.Bars(data.PerDay.Select(d => d.Day.ToDateTime(TimeOnly.MinValue).ToOADate()).ToArray(), data.PerDay.Select(d => (double)d.Interactions).ToArray());
        bars.Color = Current;
        foreach (var bar in bars.Bars)
        {
            bar.Size = 0.8;
            bar.LineWidth = 0;
        }

        plot.Axes.DateTimeTicksBottom().TickGenerator = new ScottPlot.TickGenerators.DateTimeAutomatic { LabelFormatter = d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
        plot.Axes.Margins(bottom: 0);
        return Svg(plot);
    }

    /// <summary>Items ranked by popularity: a steep head and a long flat tail is the usual shape.</summary>
    public static string LongTail(DataProfile data)
    {
        var plot = NewPlot("Items' long tail", "item rank (most interacted first)", "interactions");
        var ranks = Enumerable.Range(1, data.ItemCounts.Count).Select(r => (double)r).ToArray();
        var counts = data.ItemCounts.Select(c => (double)c).ToArray();
        var fill = plot.Add.FillY(ranks, counts, new double[counts.Length]);
        fill.FillColor = Current.WithAlpha(0.25);
        fill.LineColor = Current;
        fill.LineWidth = 2;
        var head = HeadSize(data.ItemCounts);
        var marker = plot.Add.VerticalLine(head);
        marker.Color = Others[0];
        marker.LinePattern = LinePattern.Dashed;
        marker.LegendText = $"{head} items ({100.0 * head / Math.Max(1, data.ItemCounts.Count):0.#} %) hold half of all interactions";
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Margins(bottom: 0, left: 0);
        return Svg(plot);
    }

    public static string HistoryLengths(DataProfile data)
    {
        var plot = NewPlot("Users' history lengths", "interactions per user", "users");
        // One bar per length up to 40 lengths, else 40 equal bins: the bar sits at its bin's middle length.
        var longest = data.HistoryLengths.DefaultIfEmpty(1).Max();
        var binWidth = Math.Max(1, (int)Math.Ceiling(longest / 40.0));
        var bins = data.HistoryLengths.GroupBy(l => (l - 1) / binWidth).OrderBy(g => g.Key).ToList();
        var bars = plot.Add.Bars(bins.Select(b => (b.Key * binWidth) + 1 + ((binWidth - 1) / 2.0)).ToArray(), bins.Select(b => (double)b.Count()).ToArray());
        bars.Color = Current;
        foreach (var bar in bars.Bars)
        {
            bar.Size = binWidth * 0.9;
            bar.LineWidth = 0;
        }

        plot.Axes.Margins(bottom: 0);
        return Svg(plot);
    }

    /// <summary>The fewest top items whose interactions make up half of all.</summary>
    public static int HeadSize(IReadOnlyList<int> descendingCounts)
    {
        long total = descendingCounts.Sum(c => (long)c), running = 0;
        for (var i = 0; i < descendingCounts.Count; i++)
        {
            running += descendingCounts[i];
            if (2 * running >= total)
            {
                return i + 1;
            }
        }

        return descendingCounts.Count;
    }

    /// <summary>The metrics in Personalize's order: coverage, MRR, then NDCG and precision by cutoff.</summary>
    public static List<string> MetricNames(IReadOnlyDictionary<string, double> metrics) =>
        metrics.Keys.OrderBy(k => k == OfflineMetrics.Coverage ? 0 : k.StartsWith("mean_reciprocal", StringComparison.Ordinal) ? 1 : k.StartsWith("normalized", StringComparison.Ordinal) ? 2 : 3)
            .ThenBy(k => int.TryParse(k[(k.LastIndexOf('_') + 1)..], CultureInfo.InvariantCulture, out var cut) ? cut : 0)
            .ThenBy(k => k, StringComparer.Ordinal)
            .ToList();

    public static string ShortName(string metric) => metric switch
    {
        OfflineMetrics.Coverage => "coverage",
        _ when metric.StartsWith("normalized_discounted_cumulative_gain_at_", StringComparison.Ordinal) => "NDCG@" + metric[(metric.LastIndexOf('_') + 1)..],
        _ when metric.StartsWith("precision_at_", StringComparison.Ordinal) => "precision@" + metric[(metric.LastIndexOf('_') + 1)..],
        _ when metric.StartsWith("mean_reciprocal_rank_at_", StringComparison.Ordinal) => "MRR@" + metric[(metric.LastIndexOf('_') + 1)..],
        _ => metric,
    };

    private static void GroupedBars(Plot plot, string[] groups, List<(string Label, double[] Values, Color Color)> series)
    {
        var width = 0.8 / series.Count;
        for (var s = 0; s < series.Count; s++)
        {
            var bars = series[s].Values.Select((v, g) => new Bar
            {
                Position = g - 0.4 + (width * (s + 0.5)),
                Value = v,
                Size = width * 0.92,
                FillColor = series[s].Color,
                LineWidth = 0,
            }).ToList();
            plot.Add.Bars(bars).LegendText = series[s].Label;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, groups.Length).Select(g => (double)g).ToArray(), groups);
        plot.Axes.Margins(bottom: 0, top: 0.1);
        plot.ShowLegend(Alignment.UpperRight);
    }

    private static Plot NewPlot(string title, string? xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(title, size: 16);
        if (xLabel is not null)
        {
            plot.XLabel(xLabel, size: 13);
        }

        plot.YLabel(yLabel, size: 13);
        plot.Grid.MajorLineColor = Color.FromHex("#E5E7EB");
        plot.Legend.FontName = FontName;
        return plot;
    }

    /// <summary>The SVG without its XML declaration, ready to sit inline in HTML.</summary>
    private static string Svg(Plot plot)
    {
        var svg = plot.GetSvgXml(Width, Height);
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return svg[start..].Replace("<svg ", $"<svg viewBox=\"0 0 {Width} {Height}\" role=\"img\" ", StringComparison.Ordinal);
    }
}
