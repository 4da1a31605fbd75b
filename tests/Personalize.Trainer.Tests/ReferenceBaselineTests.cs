using Personalize.Bench.Baselines;
using Personalize.Models.Evaluation;
using Personalize.Models.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// The training benchmark's reference baselines (EASE, item-kNN) on planted item-item structure: items come in pairs that
/// are always consumed together, so from one item of a pair the model must put its partner first.
/// </summary>
public sealed class ReferenceBaselineTests
{
    private const int Pairs = 20;

    [Fact]
    public void Ease_RanksEachItemsPartnerFirst()
    {
        using var model = Ease.Fit(PairedData(), lambda: 10);

        AssertPartnersFirst(model);
    }

    [Fact]
    public void ItemKnn_RanksEachItemsPartnerFirst()
    {
        using var model = ItemKnn.Fit(PairedData(), neighbours: 5);

        AssertPartnersFirst(model);
    }

    [Fact]
    public void Evaluation_ScoresPartnersAsTheTruth_WithTheRecipesMetrics()
    {
        // Each held-out user's newest 10% is the other half of a pair the input began, so a model that knows the pairs
        // finds the truth in its top two (NDCG@10 well above what popularity could reach on 40 equally popular items).
        var data = PairedData();
        var split = EvaluationSplit.Create(data, seed: 1);
        using var model = Ease.Fit(split.Training, lambda: 10);

        var metrics = BaselineEvaluation.Evaluate(model, data, split.Test, data.ItemIds.Count, excludeSeen: true);

        Assert.True(metrics[OfflineMetrics.NdcgName(10)] > 0.6, $"NDCG@10 {metrics[OfflineMetrics.NdcgName(10)]:F3}");
    }

    private static void AssertPartnersFirst(ItemItemModel model)
    {
        var data = PairedData();
        var rows = Enumerable.Range(0, data.ItemIds.Count).ToArray();
        var lists = model.Recommend(rows.Select(row => new[] { row }).ToList(), 3, excludeSeen: false);
        Assert.All(rows, row => Assert.Equal(Partner(data.ItemIds[row]), data.ItemIds[lists[row][0]]));
    }

    /// <summary>300 users, each consuming three random pairs (both items of a pair one after the other).</summary>
    private static UserSequences PairedData()
    {
        var random = new Random(5);
        var interactions = new List<Interaction>();
        for (var user = 0; user < 300; user++)
        {
            var time = 0L;
            foreach (var pair in Enumerable.Range(0, Pairs).OrderBy(_ => random.Next()).Take(3))
            {
                var first = random.Next(2);
                interactions.Add(new Interaction($"u{user}", $"i{(2 * pair) + first}", time++));
                interactions.Add(new Interaction($"u{user}", $"i{(2 * pair) + 1 - first}", time++));
            }
        }

        return UserSequences.Build(interactions);
    }

    private static string Partner(string item) => $"i{int.Parse(item[1..], System.Globalization.CultureInfo.InvariantCulture) ^ 1}";
}
