using Personalize.Models.Training;

namespace Personalize.Models.Evaluation;

/// <summary>
/// A held-out user: the oldest 90% of their interactions go in as history, the newest 10% are the truth, and the
/// context of the first of those is the request's context (what a client would send when it asks).
/// </summary>
public sealed record TestUser(string UserId, int[] Input, int[] Truth, IReadOnlyDictionary<string, string>? Context = null);

/// <summary>
/// Personalize's split (§6): 90% of users (chosen by a seeded shuffle) train with all their interactions; each of the
/// other 10% gives its oldest 90% as input and its newest 10% (at least one) as truth. Users with fewer than two
/// interactions cannot be split and always train.
/// </summary>
public sealed class EvaluationSplit
{
    public const double TestUserFraction = 0.1;
    public const double TruthFraction = 0.1;

    private EvaluationSplit(UserSequences training, IReadOnlyList<TestUser> test)
    {
        Training = training;
        Test = test;
    }

    public UserSequences Training { get; }

    public IReadOnlyList<TestUser> Test { get; }

    public static EvaluationSplit Create(UserSequences data, int seed)
    {
        var splittable = Enumerable.Range(0, data.Sequences.Length).Where(u => data.Sequences[u].Length >= 2).ToArray();
        new Random(seed).Shuffle(splittable);
        var testCount = (int)Math.Round(data.Sequences.Length * TestUserFraction);
        var testUsers = splittable.Take(Math.Min(testCount, splittable.Length)).ToHashSet();

        var trainIds = new List<string>();
        var trainSequences = new List<int[]>();
        var test = new List<TestUser>();
        for (var user = 0; user < data.Sequences.Length; user++)
        {
            var sequence = data.Sequences[user];
            if (!testUsers.Contains(user))
            {
                trainIds.Add(data.UserIds[user]);
                trainSequences.Add(sequence);
                continue;
            }

            var truthCount = Math.Clamp((int)Math.Ceiling(sequence.Length * TruthFraction), 1, sequence.Length - 1);
            test.Add(new TestUser(data.UserIds[user], sequence[..^truthCount], sequence[^truthCount..], data.ContextOf(user, sequence.Length - truthCount)));
        }

        return new EvaluationSplit(data.With(trainIds, [.. trainSequences]), test);
    }
}
