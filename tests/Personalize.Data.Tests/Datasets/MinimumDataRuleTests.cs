using Personalize.Data.Datasets;
using Xunit;

namespace Personalize.Data.Tests.Datasets;

public sealed class MinimumDataRuleTests
{
    [Fact]
    public void Evaluate_EnoughData_IsSatisfied()
    {
        var users = Enumerable.Range(0, 1000).Select(i => $"u{i % 25}");

        var result = MinimumDataRule.Evaluate(users);

        Assert.True(result.IsSatisfied);
        Assert.Null(result.FailureReason);
    }

    [Fact]
    public void Evaluate_TooFewInteractionsAndUsers_FailsWithTheNumbers()
    {
        var users = Enumerable.Range(0, 999).Select(i => i < 48 ? $"u{i % 24}" : $"single{i}");

        var result = MinimumDataRule.Evaluate(users);

        Assert.False(result.IsSatisfied);
        Assert.Equal((999L, 24), (result.Interactions, result.UsersWithTwoOrMoreInteractions));
        var error = Assert.Throws<MinimumDataException>(result.ThrowIfNotSatisfied);
        Assert.Contains("found 999 interactions (at least 1000 needed)", error.Message, StringComparison.Ordinal);
        Assert.Contains("24 users with 2 or more interactions (at least 25 needed)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluateAsync_CountsStreamedInteractions()
    {
        var result = await MinimumDataRule.EvaluateAsync(Interactions(1200, 30));

        Assert.Equal((1200L, 30), (result.Interactions, result.UsersWithTwoOrMoreInteractions));
    }

    private static async IAsyncEnumerable<Interaction> Interactions(int count, int users)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new Interaction($"u{i % users}", "i1", i, null, null, null, null, Interaction.NoContext);
            await Task.Yield();
        }
    }
}
