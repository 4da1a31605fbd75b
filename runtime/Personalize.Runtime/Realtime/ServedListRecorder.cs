using System.Threading.Channels;
using Personalize.Data.Datasets;
using Personalize.Runtime.Metrics;

namespace Personalize.Runtime.Realtime;

/// <summary>
/// Keeps what GetRecommendations / GetPersonalizedRanking served under each recommendationId in the dataset group's
/// served-lists log (<see cref="ServedRecommendations"/>), so that any replica's events, and training, can resolve it.
/// Serving never waits on the store: answers are queued and written together, one object per flush interval. What is
/// queued when the process dies, or in a write that fails, is lost (those events then train without implicit
/// impressions); a graceful stop writes the queue first. A full queue drops new lists rather than grow without bound.
/// </summary>
public sealed class ServedListRecorder(RealtimeRecordWriter writer, RuntimeMetrics metrics, ILogger<ServedListRecorder> logger, TimeSpan flushInterval)
    : BackgroundService
{
    private const int MaxQueued = 100_000;
    private const int MaxBatchRecords = 20_000;

    private readonly Channel<IReadOnlyDictionary<string, object?>> _queue = Channel.CreateBounded<IReadOnlyDictionary<string, object?>>(
        new BoundedChannelOptions(MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Queues one answer's list; returns at once.</summary>
    public void Record(string recommendationId, string? userId, IEnumerable<string> items)
    {
        if (!_queue.Writer.TryWrite(ServedRecommendations.Record(recommendationId, userId, items, DateTimeOffset.UtcNow)))
        {
            metrics.ServedListsDropped(1);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            // Let the interval's answers gather into one object; a stop writes what is queued at once.
            await Task.WhenAny(Task.Delay(flushInterval, stoppingToken), _stopping.Task);
            var batch = new List<IReadOnlyDictionary<string, object?>>();
            while (batch.Count < MaxBatchRecords && reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            try
            {
                await writer.AppendAsync(ServedRecommendations.Log, batch, stoppingToken);
                metrics.ServedListsStored(batch.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                metrics.ServedListsDropped(batch.Count);
                logger.LogWarning("Storing {Count} served recommendation lists failed ({Reason}); their events train without implicit impressions", batch.Count, e.Message);
            }
        }
    }

    /// <summary>Takes no new lists, then writes those queued before stopping (within the host's shutdown timeout).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        _stopping.TrySetResult();
        if (ExecuteTask is { } draining)
        {
            await draining.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await base.StopAsync(cancellationToken);
    }
}
