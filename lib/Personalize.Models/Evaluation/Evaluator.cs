using Personalize.Models.Scoring;
using Personalize.Models.Training;

namespace Personalize.Models.Evaluation;

/// <summary>
/// Scores held-out users through the same IRecommender the runtime serves, asking exactly what a client would
/// (recommendations for a user whose events so far are the input), and averages the metrics.
/// </summary>
public static class Evaluator
{
    public const int NumResults = 25;

    /// <summary>
    /// <paramref name="catalogueItems"/> is coverage's denominator: the unique items of the Interactions and Items
    /// datasets, which may be more than the model's vocabulary.
    /// </summary>
    public static Dictionary<string, double> Evaluate(IRecommender recommender, UserSequences data, IReadOnlyList<TestUser> testUsers, int catalogueItems)
    {
        var accumulator = new MetricsAccumulator();
        foreach (var user in testUsers)
        {
            var recommended = Recommend(recommender, user.Input.Select(row => data.ItemIds[row]).ToList(), user.Context);
            accumulator.Add(recommended, user.Truth.Select(row => data.ItemIds[row]).ToHashSet(StringComparer.Ordinal));
        }

        return accumulator.Result(catalogueItems);
    }

    /// <summary>What evaluation asks for one test user: the top items for a user whose events so far are <paramref name="events"/>, oldest first, in <paramref name="context"/>.</summary>
    public static IReadOnlyList<string> Recommend(IRecommender recommender, IReadOnlyList<string> events, IReadOnlyDictionary<string, string>? context = null) =>
        recommender.Recommend(new RecommendationRequest { RecentItems = events, NumResults = NumResults, Context = context }).Select(r => r.ItemId).ToList();
}
