using System.Threading.Channels;
using Personalize.Data.Datasets;
using Personalize.Models.Filters;
using Personalize.Runtime.Metrics;
using Personalize.Runtime.Serving;

namespace Personalize.Runtime.Realtime;

/// <summary>
/// Group commit for PutEvents/PutUsers/PutItems: requests arriving together are written as one object per dataset
/// type, and each request completes only after that write, so an acknowledged record is durable. Written records are
/// applied to this replica's state before the acknowledgement, so the caller's next request sees them.
/// </summary>
public sealed class EventJournal(RealtimeRecordWriter writer, CampaignHost host, RuntimeMetrics metrics, TimeSpan maxBatchDelay)
    : BackgroundService
{
    private const int MaxBatchRecords = 5000;
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Completes when the records are durably stored (and applied here); throws when the store write failed.</summary>
    public Task AppendAsync(IReadOnlyList<RealtimeRecord> records, CancellationToken cancellationToken)
    {
        var pending = new Pending(records, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The runtime is shutting down; records were not stored.");
        }

        // The write goes ahead even if this caller gives up: it may already be in the batch being written.
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            var batch = new List<Pending>();
            var records = 0;
            var deadline = DateTime.UtcNow + maxBatchDelay;
            while (records < MaxBatchRecords)
            {
                if (reader.TryRead(out var next))
                {
                    batch.Add(next);
                    records += next.Records.Count;
                    continue;
                }

                var wait = deadline - DateTime.UtcNow;
                if (wait <= TimeSpan.Zero || batch.Count == 0)
                {
                    break;
                }

                // Give concurrent requests a moment to join this write.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(wait);
                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    break;
                }
            }

            await CommitAsync(batch, stoppingToken);
        }
    }

    /// <summary>Takes no new records, then writes those already accepted before stopping (within the host's shutdown timeout).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _pending.Writer.TryComplete();
        if (ExecuteTask is { } draining)
        {
            await draining.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await base.StopAsync(cancellationToken);
    }

    private async Task CommitAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        try
        {
            var byType = batch.SelectMany(p => p.Records).GroupBy(r => r.DatasetType).ToList();
            var written = await Task.WhenAll(byType.Select(async group =>
            {
                var rows = group.Select(r => r.Fields).ToList();
                await writer.AppendAsync(group.Key, rows, cancellationToken);
                return (Type: group.Key, Rows: rows);
            }));
            foreach (var (type, rows) in written)
            {
                if (host.State is { } campaign)
                {
                    RealtimeApplier.Apply(campaign, type, rows.Select(FilterRecords.Text).ToList());
                    metrics.RecordsApplied("local", rows.Count);
                }

                if (type == RealtimeApplier.Interactions)
                {
                    metrics.EventsAccepted(rows.Count);
                }
            }

            foreach (var pending in batch)
            {
                pending.Done.TrySetResult();
            }
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(e);
            }
        }
    }

    private sealed record Pending(IReadOnlyList<RealtimeRecord> Records, TaskCompletionSource Done);
}
