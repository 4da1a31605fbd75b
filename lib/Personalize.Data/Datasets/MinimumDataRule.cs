namespace Personalize.Data.Datasets;

/// <summary>
/// Personalize's minimum training data: at least 1,000 interactions (after event type / value filtering, bulk and
/// real-time together) and at least 25 distinct users with 2 or more interactions each. The trainer checks it before
/// training and fails with these numbers.
/// </summary>
public static class MinimumDataRule
{
    public const long MinInteractions = 1000;
    public const int MinUsersWithTwoInteractions = 25;

    public static MinimumDataResult Evaluate(long interactions, int usersWithTwoOrMore) => new(interactions, usersWithTwoOrMore);

    /// <summary>Counts from the user id of each interaction (any order).</summary>
    public static MinimumDataResult Evaluate(IEnumerable<string> interactionUserIds)
    {
        var perUser = new Dictionary<string, int>(StringComparer.Ordinal);
        long total = 0;
        foreach (var user in interactionUserIds)
        {
            total++;
            perUser[user] = perUser.GetValueOrDefault(user) + 1;
        }

        return new MinimumDataResult(total, perUser.Values.Count(c => c >= 2));
    }

    public static async Task<MinimumDataResult> EvaluateAsync(IAsyncEnumerable<Interaction> interactions, CancellationToken cancellationToken = default)
    {
        var perUser = new Dictionary<string, int>(StringComparer.Ordinal);
        long total = 0;
        await foreach (var interaction in interactions.WithCancellation(cancellationToken))
        {
            total++;
            perUser[interaction.UserId] = perUser.GetValueOrDefault(interaction.UserId) + 1;
        }

        return new MinimumDataResult(total, perUser.Values.Count(c => c >= 2));
    }
}

public sealed record MinimumDataResult(long Interactions, int UsersWithTwoOrMoreInteractions)
{
    public bool IsSatisfied => Interactions >= MinimumDataRule.MinInteractions && UsersWithTwoOrMoreInteractions >= MinimumDataRule.MinUsersWithTwoInteractions;

    /// <summary>Why training cannot start, with the numbers found and needed; null when the rule holds.</summary>
    public string? FailureReason => IsSatisfied
        ? null
        : $"Not enough interaction data to train: found {Interactions} interactions (at least {MinimumDataRule.MinInteractions} needed) " +
          $"and {UsersWithTwoOrMoreInteractions} users with 2 or more interactions (at least {MinimumDataRule.MinUsersWithTwoInteractions} needed).";

    public void ThrowIfNotSatisfied()
    {
        if (FailureReason is { } reason)
        {
            throw new MinimumDataException(this, reason);
        }
    }
}

public sealed class MinimumDataException(MinimumDataResult result, string message) : Exception(message)
{
    public MinimumDataResult Result { get; } = result;
}
