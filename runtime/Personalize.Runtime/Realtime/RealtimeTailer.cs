using Personalize.Data.Datasets;
using Personalize.Runtime.Metrics;
using Personalize.Runtime.Serving;

namespace Personalize.Runtime.Realtime;

/// <summary>
/// Reads the real-time records other replicas wrote (and, at start-up, everything written since the model was
/// trained), so every replica of a campaign converges on the same users' state within a poll interval.
/// </summary>
public sealed class RealtimeTailer(RealtimeFiles files, RealtimeLog log, DatasetSchemas schemas, RuntimeMetrics metrics)
{
    private static readonly string[] DatasetTypes = [RealtimeApplier.Items, RealtimeApplier.Users, RealtimeApplier.Interactions];

    /// <summary>Applies every object not applied yet. Events the model was trained on are left out.</summary>
    public async Task PollAsync(CampaignState campaign, CancellationToken cancellationToken)
    {
        var trainedAt = campaign.Manifest.CreatedAt;
        var trainedUntil = campaign.Manifest.TrainingData.MaxTimestamp ?? long.MinValue;
        foreach (var type in DatasetTypes)
        {
            await foreach (var entry in files.ListAsync(type, cancellationToken))
            {
                if (!entry.Uri.Key.EndsWith(RealtimeRecordWriter.Extension, StringComparison.Ordinal) || files.IsOwn(entry.Uri) || !log.Claim(entry.Uri))
                {
                    continue;
                }

                var rows = (await files.ReadAsync(entry.Uri, cancellationToken)).Select(RealtimeApplier.AsText).ToList();
                if (type == RealtimeApplier.Interactions && RealtimeFiles.WrittenAt(entry.Uri) is { } written && written < trainedAt)
                {
                    // Written before training finished: training may have read it already; keep only events newer
                    // than the newest it used, so trained events are not counted twice.
                    rows = rows.Where(r => long.TryParse(r.GetValueOrDefault(RealtimeApplier.Timestamp), out var t) && t > trainedUntil).ToList();
                }

                if (type != RealtimeApplier.Interactions)
                {
                    rows = RealtimeApplier.SchemaColumns(rows, await schemas.GetAsync(type, cancellationToken));
                }

                RealtimeApplier.Apply(campaign, type, rows);
                metrics.RecordsApplied("store", rows.Count);
            }
        }
    }
}
