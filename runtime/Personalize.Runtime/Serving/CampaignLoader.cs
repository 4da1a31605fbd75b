using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Recipes;
using Personalize.Runtime.Metrics;
using Personalize.Runtime.Realtime;

namespace Personalize.Runtime.Serving;

/// <summary>
/// Loads the model and the dataset group's item and user metadata (retrying until the store has them), catches up on real-time records, turns the runtime ready, then
/// keeps tailing the real-time prefix for peers' records.
/// </summary>
public sealed class CampaignLoader(
    RuntimeConfig config, IObjectStore store, DatasetReader datasets, CampaignHost host, RealtimeTailer tailer, RuntimeMetrics metrics,
    ILogger<CampaignLoader> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var campaign = await LoadAsync(stoppingToken);
        // Ready only once every acknowledged record is applied: a replica must not serve without some of them.
        var delay = TimeSpan.FromMilliseconds(200);
        while (!await tailer.PollAsync(campaign, stoppingToken))
        {
            host.Waiting("replaying real-time records: some could not be read yet; retrying");
            await Task.Delay(delay, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }

        host.Ready(campaign);
        logger.LogInformation("Campaign {Campaign} ready: {Recipe} model {Model} with {Items} items", config.CampaignArn, campaign.Manifest.Recipe, config.ModelUri, campaign.Items.Count);

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(10, config.Realtime.PollIntervalMilliseconds)));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            // Failures are counted and logged by the tailer; what failed is retried on the next tick.
            await tailer.PollAsync(campaign, stoppingToken);
        }
    }

    private async Task<CampaignState> LoadAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                var artifact = await ModelArtifact.LoadAsync(store, S3Uri.Parse(config.ModelUri), stoppingToken);
                var recommender = RecommenderFactory.Create(artifact, config.Scoring, config.CampaignConfig.ScoringMethod);
                if (recommender is HrnnRecommender hrnn)
                {
                    metrics.Scoring(hrnn.ScoringMethod, hrnn.ScoringReason);
                    logger.LogInformation("Scoring {Method}: {Reason}", hrnn.ScoringMethod, hrnn.ScoringReason);
                }

                var campaign = new CampaignState(config, artifact, recommender);
                await BulkData.LoadAsync(campaign, datasets, stoppingToken);
                metrics.ModelLoaded(
                    string.IsNullOrEmpty(config.CampaignName) ? config.CampaignArn[(config.CampaignArn.LastIndexOf('/') + 1)..] : config.CampaignName,
                    config.CampaignArn,
                    config.SolutionVersionArn ?? config.ModelUri, artifact.Manifest.Recipe, artifact.Vocabulary.Items.Count);
                metrics.Capacity(await ServingCapacity.MeasureAsync(campaign, artifact.Vocabulary, stoppingToken));
                return campaign;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                host.Waiting($"loading the model from {config.ModelUri} failed: {e.Message}");
                logger.LogWarning("Loading the model from {Model} failed ({Reason}); retrying in {Delay}", config.ModelUri, e.Message, delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }
}
