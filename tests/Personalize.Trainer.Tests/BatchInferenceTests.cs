using System.Text;
using System.Text.Json.Nodes;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Models.Filters;
using Personalize.Models.Recipes;
using Personalize.Trainer.Batch;

namespace Personalize.Trainer.Tests;

public sealed class BatchInferenceTests
{
    [Fact]
    public async Task UserPersonalization_WritesOneWellFormedLinePerInput_WithErrorLinesForBadInput()
    {
        var root = Directory.CreateTempSubdirectory("trainer-batch-").FullName;
        try
        {
            var store = new FolderObjectStore(root);
            var trained = await Training.TrainAsync(Recipes.Hrnn, TasteData.Create(users: 100));
            var recommender = RecommenderFactory.Create(trained.Artifact);
            string[] lines =
            [
                """{"userId":"u1"}""",
                "not json",
                """{"itemId":"g0-1"}""",
                """{"userId":"u2","filterValues":{"GENRE":"\"g2\""}}""",
                """["array"]""",
                """{"userId":"brand-new-user"}""",
            ];
            var input = S3Uri.Parse("s3://batch/in/users.json");
            await store.WriteAsync(input, new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n")), CancellationToken.None);
            var filter = await BatchFilter.LoadAsync(
                FilterExpression.Parse("EXCLUDE ItemID WHERE Items.GENRE IN ($GENRE)"), trained.Artifact.Vocabulary.Items, null, CancellationToken.None);

            var counts = await new BatchInference(recommender, store, 10, filter, null).RunAsync(input, S3Uri.Parse("s3://batch/out/"), CancellationToken.None);

            Assert.Equal(6, counts.LinesRead);
            Assert.Equal(3, counts.LinesFailed);
            Assert.Equal(["s3://batch/out/users.json.out"], counts.Outputs);
            await using var output = await store.OpenReadAsync(S3Uri.Parse("s3://batch/out/users.json.out"), CancellationToken.None);
            var written = (await new StreamReader(output).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
            Assert.Equal(6, written.Count);
            Assert.All(written, line => Assert.Equal(["input", "output", "error"], line.Select(p => p.Key)));

            var first = written[0];
            Assert.Equal("u1", first["input"]!["userId"]!.GetValue<string>());
            Assert.Null(first["error"]);
            Assert.Equal(10, first["output"]!["recommendedItems"]!.AsArray().Count);
            var scores = first["output"]!["scores"]!.AsArray().Select(s => s!.GetValue<double>()).ToList();
            Assert.Equal(scores.OrderDescending(), scores);

            Assert.Contains("not JSON", written[1]["error"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains("userId is required", written[2]["error"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Null(written[3]["error"]);
            Assert.Contains("JSON object", written[4]["error"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Null(written[5]["error"]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task RelatedItemsAndRanking_UseTheirOwnInputShapes_AndSimsReturnsNoScores()
    {
        var data = TasteData.Create(users: 100);
        var sims = RecommenderFactory.Create((await Training.TrainAsync(Recipes.Sims, data)).Artifact);
        var ranking = RecommenderFactory.Create((await Training.TrainAsync(Recipes.PersonalizedRanking, data)).Artifact);
        var store = new FolderObjectStore(Path.GetTempPath());

        var related = await new BatchInference(sims, store, 5, null, null).AnswerAsync("""{"itemId":"g0-1"}""");
        var ranked = await new BatchInference(ranking, store, 25, null, null).AnswerAsync("""{"userId":"u0","itemList":["g0-3","unknown","g1-5"]}""");
        var missingList = await new BatchInference(ranking, store, 25, null, null).AnswerAsync("""{"userId":"u0"}""");

        Assert.Equal(5, related["output"]!["recommendedItems"]!.AsArray().Count);
        Assert.Null(related["output"]!["scores"]);
        Assert.Equal("unknown", ranked["output"]!["recommendedItems"]!.AsArray()[2]!.GetValue<string>());
        Assert.Null(ranked["output"]!["scores"]!.AsArray()[2]);
        Assert.Equal(1.0, ranked["output"]!["scores"]!.AsArray().Take(2).Sum(s => s!.GetValue<double>()), 5);
        Assert.Contains("itemList is required", missingList["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
