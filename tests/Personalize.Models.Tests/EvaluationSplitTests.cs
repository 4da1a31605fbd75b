using Personalize.Models.Evaluation;
using Personalize.Models.Training;

namespace Personalize.Models.Tests;

public sealed class EvaluationSplitTests
{
    private static UserSequences Data(int users, int length) =>
        UserSequences.Build(
            Enumerable.Range(0, users).SelectMany(u => Enumerable.Range(0, length).Select(t => new Interaction($"u{u}", $"i{(u + t) % 50}", 1000 - t))));

    [Fact]
    public void Split_HoldsOutTenPercentOfUsers_WithTheirNewestTenPercentAsTruth()
    {
        var data = Data(users: 200, length: 20);

        var split = EvaluationSplit.Create(data, seed: 7);

        Assert.Equal(20, split.Test.Count);
        Assert.Equal(180, split.Training.UserIds.Count);
        Assert.Empty(split.Training.UserIds.Intersect(split.Test.Select(t => t.UserId)));
        var user = split.Test[0];
        var full = data.Sequences[data.UserIds.IndexOf(user.UserId)];
        Assert.Equal(18, user.Input.Length);
        Assert.Equal(full[..18], user.Input);
        Assert.Equal(full[18..], user.Truth);
    }

    [Fact]
    public void Split_IsTheSameForTheSameSeed_AndDiffersForAnother()
    {
        var data = Data(users: 200, length: 5);

        var a = EvaluationSplit.Create(data, 1).Test.Select(t => t.UserId);
        var b = EvaluationSplit.Create(data, 1).Test.Select(t => t.UserId);
        var c = EvaluationSplit.Create(data, 2).Test.Select(t => t.UserId);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Sequences_AreOrderedByTimestamp()
    {
        var data = UserSequences.Build([new("u", "late", 30), new("u", "early", 10), new("u", "mid", 20)]);

        Assert.Equal(["early", "mid", "late"], data.Sequences[0].Select(i => data.ItemIds[i]));
    }
}
