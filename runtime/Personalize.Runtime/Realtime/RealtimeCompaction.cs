using Personalize.Data.Datasets;
using Personalize.Jobs;

namespace Personalize.Runtime.Realtime;

/// <summary>
/// Every replica, as a writer of the real-time logs, folds their old objects into Parquet parts now and then, so start-up
/// replays and training read a few parts instead of one object per group commit (the served lists' log also drops what
/// is past its retention). Replicas need no coordination: a
/// compaction is safe to run concurrently (<see cref="RealtimeCompactor"/>); a random delay keeps them from usually
/// doing the same work at once.
/// </summary>
public sealed class RealtimeCompaction(RuntimeConfig config, RealtimeCompactor compactor, ILogger<RealtimeCompaction> logger) : BackgroundService
{
    private static readonly string[] DatasetTypes = [RealtimeApplier.Interactions, RealtimeApplier.Users, RealtimeApplier.Items, ServedRecommendations.Log];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(config.Realtime.CompactionIntervalSeconds);
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(interval * (0.5 + Random.Shared.NextDouble()), stoppingToken);
            foreach (var type in DatasetTypes)
            {
                try
                {
                    if (await compactor.CompactAsync(type, stoppingToken) is { } watermark)
                    {
                        logger.LogInformation("Compacted real-time {Type} records through {Through}: {Records} records in {Parts} parts",
                            type, watermark.Through, watermark.Records, watermark.Parts.Count);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // What was written is either committed or ignored by readers; the next round starts over.
                    logger.LogWarning("Compacting real-time {Type} records failed ({Reason}); retrying next round", type, e.Message);
                }
            }
        }
    }
}
