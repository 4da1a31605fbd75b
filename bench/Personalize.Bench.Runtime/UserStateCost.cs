using System.Diagnostics;
using System.Globalization;
using Personalize.Jobs;
using Personalize.Models.Recipes;

namespace Personalize.Bench.Runtime;

/// <summary>
/// What one user state costs to compute from scratch (a user's first request, or an event that slides a full window):
/// the GRU over the window the model reads, bptt (32) against the whole stored history (200), which rating-data models
/// may read (manifest historyWindow), and one GRU against several side by side (<c>--blocks</c>: a mean of networks
/// served as one, whose block-diagonal weights the cell steps block by block). Each hidden size's rows alternate, so a
/// ratio holds on a shared machine.
/// </summary>
public static class UserStateCost
{
    public const string Verb = "user-state";

    /// <summary>Runs `user-state [--hidden 43,64,149] [--windows 32,200] [--blocks 1] [--rounds 5]` and prints a table.</summary>
    public static int Run(string[] args)
    {
        string Option(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var hiddens = Option("--hidden", "43,64,149").Split(',').Select(int.Parse).ToArray();
        var windows = Option("--windows", "32,200").Split(',').Select(int.Parse).ToArray();
        var blockCounts = Option("--blocks", "1").Split(',').Select(int.Parse).ToArray();
        var rounds = int.Parse(Option("--rounds", "5"), CultureInfo.InvariantCulture);
        Console.WriteLine("| hidden | GRUs side by side | window | µs per state (median of rounds) | × the first row |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var hidden in hiddens)
        {
            var cases = blockCounts.SelectMany(b => windows.Select(w => (Blocks: b, Window: w))).ToArray();
            var scorers = cases.ToDictionary(c => c, c =>
            {
                var artifact = SyntheticModel.Hrnn(10_000, hidden, gruBlocks: c.Blocks);
                artifact.Manifest.HistoryWindow = c.Window;
                return new HrnnRecommender(artifact, new ScoringSettings { UserStateCacheSize = 0 });
            });
            var random = new Random(3);
            var history = Enumerable.Range(0, windows.Max()).Select(_ => random.Next(10_000)).ToArray();
            var perRound = cases.ToDictionary(c => c, _ => new Latencies());
            // Warm-up, then rounds that alternate the cases.
            Measure(scorers[cases[^1]], history, TimeSpan.FromSeconds(0.5));
            for (var round = 0; round < rounds; round++)
            {
                foreach (var c in cases)
                {
                    perRound[c].Add(Measure(scorers[c], history, TimeSpan.FromSeconds(0.5)));
                }
            }

            var first = perRound[cases[0]].Percentile(50);
            foreach (var c in cases)
            {
                var median = perRound[c].Percentile(50);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {hidden} | {c.Blocks} | {c.Window} | {median:F1} | {median / first:F2} |"));
            }
        }

        return 0;
    }

    /// <summary>Mean µs per state of a user with <paramref name="history"/> (the scorer reads its window of it), computed repeatedly for about <paramref name="duration"/>.</summary>
    private static double Measure(HrnnRecommender scorer, int[] history, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var states = 0;
        while (clock.Elapsed < duration)
        {
            scorer.UserState(null, history);
            states++;
        }

        return clock.Elapsed.TotalMicroseconds / states;
    }
}
