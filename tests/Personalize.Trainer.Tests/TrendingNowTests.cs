using System.Text;
using System.Text.Json.Nodes;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Models.Training;
using Personalize.Trainer.Batch;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

public sealed class TrendingNowTests
{
    // A 3-hour boundary, so both frequencies' windows are easy to place: the data ends 3 hours after it.
    private const long Start = 1_699_995_600;
    private const long Newest = Start + (3 * 3600) - 1;

    /// <summary>
    /// "steady" is the most popular item and flat; "slow" surged between 3 h and 1 h before the newest event; "hot"
    /// surged in its last 30 minutes; older items b* fill the history.
    /// </summary>
    private static TrainingData Planted()
    {
        var interactions = new List<Interaction>();
        for (var t = Start - (2 * 86_400); t <= Newest; t += 600)
        {
            interactions.Add(new Interaction($"s{t % 97}", "steady", t));
        }

        for (var i = 0; i < 30; i++)
        {
            interactions.Add(new Interaction($"w{i}", "slow", Start + 1000 + (i * 200)));
        }

        for (var i = 0; i < 10; i++)
        {
            interactions.Add(new Interaction($"h{i}", "hot", Newest - (i * 150)));
        }

        var random = new Random(3);
        for (var u = 0; u < 200; u++)
        {
            for (var k = 0; k < 5; k++)
            {
                interactions.Add(new Interaction($"b-user{u}", $"b{random.Next(50)}", Start - 86_400 - random.Next(80_000)));
            }
        }

        return new TrainingData { Interactions = interactions };
    }

    private static async Task<IRecommender> TrainAsync(string frequency) =>
        RecommenderFactory.Create((await Training.TrainAsync(Recipes.TrendingNow, Planted(), overrides: new() { ["trend_discovery_frequency"] = frequency })).Artifact);

    private static async Task<List<string>> TopAsync(IRecommender recommender, int count) =>
        (await recommender.RecommendAsync(new RecommendationRequest { NumResults = count })).Select(i => i.ItemId).ToList();

    [Fact]
    public async Task TheItemsThatGrewMostInTheLatestInterval_LeadTheList_NotTheMostPopular()
    {
        var threeHours = await TrainAsync("3 hours");
        Assert.Equal(["slow", "hot"], await TopAsync(threeHours, 2));
        Assert.Null((await threeHours.RecommendAsync(new RecommendationRequest())).First().Score);

        // The frequency is the interval: over 30 minutes only "hot" grew; the most popular item follows.
        Assert.Equal(["hot", "steady"], await TopAsync(await TrainAsync("30 minutes"), 2));
    }

    [Fact]
    public async Task EventsAfterTraining_MakeANewItemTrend_AndOldEventsCountNoMore()
    {
        var recommender = await TrainAsync("30 minutes");
        var observer = Assert.IsAssignableFrom<IObservesEvents>(recommender);
        for (var i = 0; i < 15; i++)
        {
            observer.Observe("brand-new", "click", null, Newest + 60);
        }

        // Far older than the window: ignored.
        for (var i = 0; i < 50; i++)
        {
            observer.Observe("b1", "click", null, Start - 86_400);
        }

        await Eventually(async () => (await TopAsync(recommender, 2)).SequenceEqual(["brand-new", "hot"]));

        // An hour later with nothing new, nothing grows: the popular list fills in.
        observer.Observe("b2", "click", null, Newest + 3600);
        await Eventually(async () => (await TopAsync(recommender, 2)).SequenceEqual(["b2", "steady"]));
    }

    [Fact]
    public async Task BatchInference_AnswersEveryLineWithTheTrendingList_WithoutScores()
    {
        var root = Directory.CreateTempSubdirectory("trainer-trending-").FullName;
        try
        {
            var store = new FolderObjectStore(root);
            var input = S3Uri.Parse("s3://batch/in/trending.json");
            await store.WriteAsync(input, new MemoryStream(Encoding.UTF8.GetBytes("{\"userId\":\"anyone\"}\n{}\n")), CancellationToken.None);

            var counts = await new BatchInference(await TrainAsync("3 hours"), store, 2, null, null).RunAsync(input, S3Uri.Parse("s3://batch/out/"), CancellationToken.None);

            Assert.Equal(0, counts.LinesFailed);
            await using var output = await store.OpenReadAsync(S3Uri.Parse("s3://batch/out/trending.json.out"), CancellationToken.None);
            var lines = (await new StreamReader(output).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.All(lines, line =>
            {
                Assert.Equal(["slow", "hot"], line["output"]!["recommendedItems"]!.AsArray().Select(i => i!.GetValue<string>()));
                Assert.Null(line["output"]!["scores"]);
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void TrendDiscoveryFrequency_IsCheckedAgainstPersonalizesValues()
    {
        var recipe = Recipes.Find(Recipes.TrendingNow)!;
        Assert.Equal(RecipeTypes.PopularItems, recipe.RecipeType);
        Assert.Empty(recipe.Validate(null, new Dictionary<string, string> { ["trend_discovery_frequency"] = "1 day" }));
        var problem = Assert.Single(recipe.Validate(null, new Dictionary<string, string> { ["trend_discovery_frequency"] = "2 hours" }));
        Assert.Contains("featureTransformationParameters.trend_discovery_frequency", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(Recipes.TrendingNow, Recipes.AutoMLCandidates);
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(100);
        }
    }
}
