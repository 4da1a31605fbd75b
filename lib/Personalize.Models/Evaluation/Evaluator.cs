using Personalize.Models.Scoring;
using Personalize.Models.Training;

namespace Personalize.Models.Evaluation;

/// <summary>
/// Scores held-out users through the same IRecommender the runtime serves, asking exactly what a client would
/// (recommendations for the user, whose events so far are the input), and averages the metrics.
/// </summary>
public static class Evaluator
{
    public const int NumResults = 25;

    /// <summary>
    /// The users an evaluated model must know: the training users with their histories, and the held-out users with
    /// none. A held-out user is then asked for by id, as the runtime asks for a user: their metadata gives the model's
    /// start state for them, as it does when they are served, while their events come in with the request.
    /// </summary>
    public static UserSequences KnownUsers(UserSequences training, IEnumerable<TestUser> heldOut)
    {
        var held = heldOut.ToList();
        return training.With([.. training.UserIds, .. held.Select(user => user.UserId)], [.. training.Sequences, .. held.Select(_ => Array.Empty<int>())]);
    }

    /// <summary>
    /// <paramref name="catalogueItems"/> is coverage's denominator: the unique items of the Interactions and Items
    /// datasets, which may be more than the model's vocabulary. The recommender's model knows the test users without
    /// their history (<see cref="KnownUsers"/>) or not at all; <paramref name="excludeSeen"/> filters each user's input
    /// items out, as the filter EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (*) does for a campaign.
    /// </summary>
    public static async Task<Dictionary<string, double>> EvaluateAsync(
        IRecommender recommender, UserSequences data, IReadOnlyList<TestUser> testUsers, int catalogueItems, bool excludeSeen = false, CancellationToken cancellationToken = default) =>
        (await ScoreAsync(recommender, data, testUsers, excludeSeen, cancellationToken)).Result(catalogueItems);

    /// <summary>What <see cref="EvaluateAsync"/> averages, with each user's figures.</summary>
    public static async Task<MetricsAccumulator> ScoreAsync(
        IRecommender recommender, UserSequences data, IReadOnlyList<TestUser> testUsers, bool excludeSeen = false, CancellationToken cancellationToken = default)
    {
        var accumulator = new MetricsAccumulator();
        foreach (var user in testUsers)
        {
            var input = user.Input.Select(row => data.ItemIds[row]).ToList();
            var seen = excludeSeen ? input.ToHashSet(StringComparer.Ordinal) : null;
            var recommended = await RecommendAsync(recommender, user.UserId, input, user.Context, seen is null ? null : item => !seen.Contains(item), cancellationToken);
            accumulator.Add(user.UserId, recommended, user.Truth.Select(row => data.ItemIds[row]).ToHashSet(StringComparer.Ordinal));
        }

        return accumulator;
    }

    /// <summary>
    /// What evaluation asks for one user: the top items for <paramref name="userId"/>, whose events since what the model
    /// knows of them are <paramref name="events"/>, oldest first, in <paramref name="context"/>.
    /// </summary>
    public static async ValueTask<IReadOnlyList<string>> RecommendAsync(
        IRecommender recommender,
        string userId,
        IReadOnlyList<string> events,
        IReadOnlyDictionary<string, string>? context = null,
        Func<string, bool>? isCandidate = null,
        CancellationToken cancellationToken = default) =>
        (await recommender.RecommendAsync(new RecommendationRequest { UserId = userId, RecentItems = events, NumResults = NumResults, Context = context, IsCandidate = isCandidate }, cancellationToken))
            .Select(r => r.ItemId).ToList();
}
