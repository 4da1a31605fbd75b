using System.Diagnostics;
using Personalize.Models.Artifacts;
using Personalize.Models.Scoring;

namespace Personalize.Runtime.Serving;

/// <summary>
/// What one replica can serve of the loaded model, measured at start-up instead of assumed: the CPU time of a few
/// of the model's own queries, plus the HTTP and JSON cost per request, on the cores this process may use. The
/// operator sizes replicas by it (personalize_runtime_capacity_tps), so a 1M-item catalogue gets more replicas than
/// a 10k one, and a cheaper scoring method fewer: the queries run through the served recommender, so an ANN index
/// (or int8 scoring) is what is measured when it is what serves.
/// </summary>
public static class ServingCapacity
{
    /// <summary>CPU µs per request outside scoring (Kestrel, JSON, filters), from bench/Personalize.Bench.Runtime's 10k-item rows.</summary>
    public const double HttpMicrosPerRequest = 450;

    /// <summary>The share of the measured capacity to plan with, headroom for bursts and p99.</summary>
    public const double Utilization = 0.7;

    private const int Queries = 32;

    /// <summary>Requests per second this replica serves at <see cref="Utilization"/>, from CPU µs per query measured on one thread.</summary>
    public static async Task<double> MeasureAsync(CampaignState campaign, ModelVocabulary vocabulary, CancellationToken cancellationToken)
    {
        var recommender = campaign.Recommender;
        var users = vocabulary.Users;
        var items = vocabulary.Items;
        if (items.Count == 0)
        {
            return PerReplica(0);
        }

        // Warm-up (JIT, caches), then the measured queries, spread over the users and items the model knows.
        await AskAsync(0);
        // Process CPU time, not wall time: a busy node does not make the model look slower. Nothing else runs yet.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 1; i <= Queries; i++)
        {
            await AskAsync(i);
        }

        return PerReplica((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / Queries);

        async Task AskAsync(int i)
        {
            var request = new RecommendationRequest
            {
                UserId = users.Count > 0 ? users[i * 7919 % users.Count] : null,
                ItemId = items[i * 104729 % items.Count],
                RecentItems = users.Count > 0 ? [] : [items[i * 104729 % items.Count]],
                InputList = [.. Enumerable.Range(0, 25).Select(j => items[(i + (j * 31)) % items.Count])],
            };
            _ = campaign.RecipeType switch
            {
                "RELATED_ITEMS" => await recommender.RelatedItemsAsync(request, cancellationToken),
                "PERSONALIZED_RANKING" => recommender.Rank(request),
                _ => await recommender.RecommendAsync(request, cancellationToken),
            };
        }
    }

    public static double PerReplica(double scoringMicrosPerQuery) =>
        Utilization * Environment.ProcessorCount * 1e6 / (scoringMicrosPerQuery + HttpMicrosPerRequest);
}
