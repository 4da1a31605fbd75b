using System.Collections.Concurrent;
using System.Globalization;
using Personalize.Api;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.LocalMode;

/// <summary>
/// Turns resource changes into the lines a person watching `personalize local` wants: phase changes, import row counts,
/// training epochs with loss and ETA, offline metrics, campaign endpoints and failure reasons. A line is printed only
/// when it differs from the last one printed for that resource, so resyncs stay quiet. A trained version's report is
/// named once, where it can be opened.
/// </summary>
public sealed class ProgressReporter
{
    private readonly TextWriter _output;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly ConcurrentDictionary<ResourceKey, string> _lastLine = new();
    private readonly ConcurrentDictionary<ResourceKey, string> _reportsNamed = new();
    private readonly Lock _write = new();
    private readonly Func<string, string> _reportLocation;

    /// <param name="reportLocation">Where a person opens a report, given its status.reportUri (local mode: the file).</param>
    public ProgressReporter(TextWriter output, TimeProvider time, Func<string, string>? reportLocation = null)
    {
        _output = output;
        _time = time;
        _started = time.GetTimestamp();
        _reportLocation = reportLocation ?? (uri => uri);
    }

    public void OnChanged(ResourceEvent change)
    {
        if (change.Type == ResourceEventType.Deleted)
        {
            return;
        }

        var line = Describe(change.Resource);
        var key = change.Key;
        // A waiting resource's message changes with its parent's phase; say it again only when the reason changes.
        var identity = line is null ? null : Identity(change.Resource, line);
        if (identity is null || (_lastLine.TryGetValue(key, out var last) && last == identity))
        {
            return;
        }

        _lastLine[key] = identity;
        Write($"{change.Resource.Kind,-17} {change.Resource.Metadata.Name,-28} {line}");
        if (change.Resource is SolutionVersion { Status.ReportUri: { } report } && _reportsNamed.TryAdd(key, report))
        {
            Write($"{change.Resource.Kind,-17} {change.Resource.Metadata.Name,-28} {"report",-18} {_reportLocation(report)}");
        }
    }

    public void Write(string text)
    {
        var elapsed = _time.GetElapsedTime(_started);
        lock (_write)
        {
            _output.WriteLine($"[{(int)elapsed.TotalMinutes,3}:{elapsed.Seconds:00}] {text}");
            _output.Flush();
        }
    }

    /// <summary>What is worth saying about a resource now; null while it has no phase yet.</summary>
    public static string? Describe(IPersonalizeResource resource)
    {
        var status = resource.CommonStatus;
        if (status.Phase is null)
        {
            return null;
        }

        if (status.Phase == Phases.CreateFailed)
        {
            return $"{status.Phase}: {status.FailureReason ?? ReadyMessage(status)}";
        }

        var detail = resource switch
        {
            DatasetImportJob { Status.RowsImported: { } imported } job =>
                $"{imported.ToString("N0", CultureInfo.InvariantCulture)} rows imported, {(job.Status.RowsRejected ?? 0).ToString("N0", CultureInfo.InvariantCulture)} rejected",
            SolutionVersion { Status.Metrics: { Count: > 0 } metrics } => Metrics(metrics),
            SolutionVersion { Status.Progress: { } progress } when status.Phase == Phases.CreateInProgress && Progress(progress) is { Length: > 0 } text => text,
            Campaign { Status: { Endpoint: { } endpoint, AutomaticUpdate.ServingModelRevision: int revision and > 0 } } when status.Phase == Phases.Active =>
                $"{endpoint}  model revision {revision} (automatic update)",
            Campaign { Status.Endpoint: { } endpoint } when status.Phase == Phases.Active => endpoint,
            EventTracker { Status.TrackingId: { } trackingId } => $"trackingId {trackingId}",
            _ when status.Phase == Phases.CreatePending => WaitingReason(status),
            _ => null,
        };
        return detail is null ? status.Phase : $"{status.Phase,-18} {detail}";
    }

    private static string Identity(IPersonalizeResource resource, string line) =>
        resource.CommonStatus.Phase == Phases.CreatePending
            ? $"{Phases.CreatePending}/{resource.CommonStatus.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.Ready)?.Reason}"
            : line;

    private static string Progress(TrainingProgress progress)
    {
        var parts = new List<string>();
        if (progress.Epoch is { } epoch)
        {
            parts.Add(progress.TotalEpochs is { } total ? $"epoch {epoch}/{total}" : $"epoch {epoch}");
        }

        if (progress.Loss is { } loss)
        {
            parts.Add($"loss {loss.ToString("0.0000", CultureInfo.InvariantCulture)}");
        }

        if (progress.EtaSeconds is { } eta)
        {
            parts.Add($"ETA {TimeSpan.FromSeconds(Math.Round(eta)):m\\:ss}");
        }

        if (progress.PercentComplete is { } percent)
        {
            parts.Add($"({percent}%)");
        }

        return string.Join("  ", parts);
    }

    private static string Metrics(Dictionary<string, double> metrics)
    {
        (string Key, string Label)[] shown =
        [
            ("normalized_discounted_cumulative_gain_at_10", "NDCG@10"),
            ("precision_at_10", "precision@10"),
            ("mean_reciprocal_rank_at_25", "MRR@25"),
            ("coverage", "coverage"),
        ];
        return string.Join("  ", shown
            .Where(s => metrics.ContainsKey(s.Key))
            .Select(s => $"{s.Label} {metrics[s.Key].ToString("0.0000", CultureInfo.InvariantCulture)}"));
    }

    // While a resource waits on something, its Ready condition says on what.
    private static string? WaitingReason(ResourceStatus status) =>
        status.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.Ready && c.Status != ConditionStatus.True) is { } ready
            ? $"{ready.Reason}: {ready.Message}"
            : null;

    private static string ReadyMessage(ResourceStatus status) =>
        status.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.Ready)?.Message ?? "no reason given";
}
