using System.Text.Json;
using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Runtime.Metrics;
using Personalize.Runtime.Serving;

namespace Personalize.Runtime.Realtime;

/// <summary>
/// Reads the real-time records other replicas wrote (and, at start-up, everything written since the model was
/// trained), so every replica of a campaign converges on the same users' state within a poll interval.
/// </summary>
public sealed class RealtimeTailer(RealtimeFiles files, RealtimeLog log, DatasetSchemas schemas, RuntimeMetrics metrics, ILogger<RealtimeTailer> logger)
{
    /// <summary>
    /// How far before its last complete poll a tailer lists again, and how far ahead of its clock: covers writes that
    /// become visible late and writers' clocks that differ. An object visible later than this after its name's time
    /// is applied at the next start-up (and read by training) rather than by the running tailer.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private static readonly string[] DatasetTypes = [RealtimeApplier.Items, RealtimeApplier.Users, RealtimeApplier.Interactions];
    private readonly Dictionary<string, DateTimeOffset> _caughtUp = new(StringComparer.Ordinal);

    /// <summary>Per type, the watermark the start-up replay read: the objects it covers were applied from its parts.</summary>
    private readonly Dictionary<string, RealtimeWatermark?> _compacted = new(StringComparer.Ordinal);

    /// <summary>
    /// Applies every object not applied yet. Events the model was trained on are left out. An object that cannot be
    /// read is counted and left unapplied, so the next poll retries it; later objects of its type wait for it, so
    /// PutUsers/PutItems updates are never applied out of order. Returns false when something was left for a retry.
    /// </summary>
    public async Task<bool> PollAsync(CampaignState campaign, CancellationToken cancellationToken)
    {
        var complete = true;
        foreach (var type in DatasetTypes)
        {
            try
            {
                var started = DateTimeOffset.UtcNow;
                IAsyncEnumerable<ObjectInfo> entries;
                if (_caughtUp.TryGetValue(type, out var since))
                {
                    entries = files.ListWrittenAsync(type, since - Window, started + Window, cancellationToken);
                }
                else
                {
                    // The start-up replay: the compacted records, then every object after the watermark; later polls
                    // list only the recent minutes.
                    var watermark = await files.Objects.ReadWatermarkAsync(type, cancellationToken);
                    if (watermark is not null)
                    {
                        await ReplayCompactedAsync(campaign, type, watermark, cancellationToken);
                    }

                    _compacted[type] = watermark;
                    entries = files.Objects.ListFreshAsync(type, watermark, cancellationToken);
                }

                await PollAsync(campaign, type, entries, cancellationToken);
                _caughtUp[type] = started;
                log.Forget(started - (2 * Window));
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                complete = false;
                metrics.RealtimeReadFailed(type);
                logger.LogWarning("Reading real-time {Type} records failed ({Reason}); retrying next poll", type, e.Message);
            }
        }

        return complete;
    }

    private async Task PollAsync(CampaignState campaign, string type, IAsyncEnumerable<ObjectInfo> entries, CancellationToken cancellationToken)
    {
        var compacted = _compacted.GetValueOrDefault(type);
        await foreach (var entry in entries)
        {
            if (!entry.Uri.Key.EndsWith(RealtimeRecordWriter.Extension, StringComparison.Ordinal) || files.IsOwn(entry.Uri) || log.Contains(entry.Uri)
                || compacted?.Covers(entry.Uri) == true)
            {
                continue;
            }

            await ApplyAsync(campaign, type, entry.Uri, await files.ReadAsync(entry.Uri, cancellationToken), cancellationToken);
        }
    }

    /// <summary>
    /// Applies the compacted records object by object, exactly as if each object were read on its own, so a replay
    /// retried after a failure skips the objects it applied, even if a compaction moved them meanwhile.
    /// </summary>
    private async Task ReplayCompactedAsync(CampaignState campaign, string type, RealtimeWatermark watermark, CancellationToken cancellationToken)
    {
        S3Uri? current = null;
        var rows = new List<Dictionary<string, JsonElement>>();
        await foreach (var record in files.Objects.ReadCompactedAsync(watermark, cancellationToken))
        {
            if (record.Object != current)
            {
                if (current is { } done)
                {
                    await ApplyCompactedAsync(campaign, type, done, rows, cancellationToken);
                }

                current = record.Object;
                rows = [];
            }

            if (RealtimeFiles.Parse(record.Line) is { } row)
            {
                rows.Add(row);
            }
        }

        if (current is { } last)
        {
            await ApplyCompactedAsync(campaign, type, last, rows, cancellationToken);
        }
    }

    private Task ApplyCompactedAsync(CampaignState campaign, string type, S3Uri uri, List<Dictionary<string, JsonElement>> rows, CancellationToken cancellationToken) =>
        files.IsOwn(uri) || log.Contains(uri) ? Task.CompletedTask : ApplyAsync(campaign, type, uri, rows, cancellationToken);

    /// <summary>Applies one object's records, once: events the model was trained on are left out.</summary>
    private async Task ApplyAsync(CampaignState campaign, string type, S3Uri uri, List<Dictionary<string, JsonElement>> records, CancellationToken cancellationToken)
    {
        var trainedAt = campaign.Manifest.CreatedAt;
        var trainedUntil = campaign.Manifest.TrainingData.MaxTimestamp ?? long.MinValue;
        var rows = records.Select(RealtimeApplier.AsText).ToList();
        if (type == RealtimeApplier.Interactions && RealtimeFiles.WrittenAt(uri) is { } written && written < trainedAt)
        {
            // Written before training finished: training may have read it already; keep only events newer
            // than the newest it used, so trained events are not counted twice.
            rows = rows.Where(r => long.TryParse(r.GetValueOrDefault(RealtimeApplier.Timestamp), out var t) && t > trainedUntil).ToList();
        }

        if (type != RealtimeApplier.Interactions)
        {
            rows = RealtimeApplier.SchemaColumns(rows, await schemas.GetAsync(type, cancellationToken));
        }

        // Claimed only once read: a failed read stays unclaimed and is retried. The tailer is the only claimant.
        if (log.Claim(uri))
        {
            RealtimeApplier.Apply(campaign, type, rows);
            metrics.RecordsApplied("store", rows.Count);
        }
    }
}
