using System.Diagnostics;
using System.Globalization;
using Personalize.Jobs;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;

namespace Personalize.Bench.Runtime;

/// <summary>
/// What a rating-data model's list costs over a plain one: with the manifest's repeatShare, the scorer leaves the
/// user's own items out of the catalogue pass and scores them one by one (<c>RepeatMixture</c>). The same requests, with
/// the user's known history grown to each length by request events, alternate between the two models, so a ratio holds
/// on a shared machine.
/// </summary>
public static class RepeatShareCost
{
    public const string Verb = "repeat-share";

    /// <summary>Runs `repeat-share [--items 1682,100000] [--hidden 43] [--histories 20,200] [--rounds 5]` and prints a table.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        string Option(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var catalogues = Option("--items", "1682,100000").Split(',').Select(int.Parse).ToArray();
        var hidden = int.Parse(Option("--hidden", "43"), CultureInfo.InvariantCulture);
        var histories = Option("--histories", "20,200").Split(',').Select(int.Parse).ToArray();
        var rounds = int.Parse(Option("--rounds", "5"), CultureInfo.InvariantCulture);
        Console.WriteLine("| items | hidden | user's items | µs per list, plain model | µs per list, with repeatShare | × plain |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var items in catalogues)
        {
            // Exact scoring, no batching: the cost of one query's own work, the state cached as a served user's is.
            var settings = new ScoringSettings { Batch = false };
            var plain = new HrnnRecommender(SyntheticModel.Hrnn(items, hidden), settings, ScoringMethods.Exact);
            var rating = SyntheticModel.Hrnn(items, hidden);
            rating.Manifest.RepeatShare = 1e-5;
            var withShare = new HrnnRecommender(rating, settings, ScoringMethods.Exact);
            foreach (var length in histories)
            {
                var random = new Random(5);
                var requests = Enumerable.Range(0, 64).Select(u => new RecommendationRequest
                {
                    UserId = $"user-{u}",
                    RecentItems = [.. Enumerable.Range(0, Math.Max(0, length - SyntheticModel.HistoryPerUser)).Select(_ => $"item-{random.Next(items)}")],
                }).ToArray();
                var perRound = new[] { new Latencies(), new Latencies() };
                await MeasureAsync(withShare, requests, TimeSpan.FromSeconds(0.5));
                await MeasureAsync(plain, requests, TimeSpan.FromSeconds(0.5));
                for (var round = 0; round < rounds; round++)
                {
                    perRound[0].Add(await MeasureAsync(plain, requests, TimeSpan.FromSeconds(0.5)));
                    perRound[1].Add(await MeasureAsync(withShare, requests, TimeSpan.FromSeconds(0.5)));
                }

                var (without, with) = (perRound[0].Percentile(50), perRound[1].Percentile(50));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {items} | {hidden} | {length} | {without:F1} | {with:F1} | {with / without:F2} |"));
            }
        }

        return 0;
    }

    /// <summary>Mean µs per list, asking the requests in turn for about <paramref name="duration"/>.</summary>
    private static async Task<double> MeasureAsync(HrnnRecommender scorer, RecommendationRequest[] requests, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var lists = 0;
        while (clock.Elapsed < duration)
        {
            await scorer.RecommendAsync(requests[lists % requests.Length]);
            lists++;
        }

        return clock.Elapsed.TotalMicroseconds / lists;
    }
}
