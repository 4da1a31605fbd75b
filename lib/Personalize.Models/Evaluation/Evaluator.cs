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

    public static Dictionary<string, double> Evaluate(IRecommender recommender, UserSequences data, IReadOnlyList<TestUser> testUsers)
    {
        var accumulator = new MetricsAccumulator();
        foreach (var user in testUsers)
        {
            var request = new RecommendationRequest
            {
                RecentItems = user.Input.Select(row => data.ItemIds[row]).ToList(),
                NumResults = NumResults,
            };
            var recommended = recommender.Recommend(request).Select(r => r.ItemId).ToList();
            accumulator.Add(recommended, user.Truth.Select(row => data.ItemIds[row]).ToHashSet(StringComparer.Ordinal));
        }

        return accumulator.Result(data.ItemIds.Count);
    }
}
