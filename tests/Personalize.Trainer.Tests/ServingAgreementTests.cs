using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Evaluation;
using Personalize.Models.Recipes;
using Personalize.Runtime;
using Personalize.Testing;
using Personalize.Trainer.Batch;

namespace Personalize.Trainer.Tests;

/// <summary>
/// Offline metrics measure what is served only if evaluation, batch inference and the runtime ask the model the
/// same question: the same users must get the same items, in the same order, from all three.
/// </summary>
public sealed class ServingAgreementTests
{
    private const string CampaignArn = "arn:k8s:personalize:test::campaign/agreement";

    /// <remarks>aws-hrnn-coldstart starts each user's state from their metadata: evaluation must ask for the user, not for their events alone.</remarks>
    [Theory]
    [InlineData(Recipes.Hrnn)]
    [InlineData(Recipes.HrnnColdstart)]
    public async Task EvaluationBatchAndRuntime_RecommendTheSameItems_InTheSameOrder(string recipe)
    {
        var root = Directory.CreateTempSubdirectory("trainer-agreement-").FullName;
        try
        {
            var store = new FolderObjectStore(root);
            var group = new StoreLayout("bucket").DatasetGroup("test", "agreement");
            var modelUri = StoreLayout.Model(group, "solution", "v1");
            var trained = await Training.TrainAsync(recipe, TasteData.Create(users: 150));
            await trained.Artifact.SaveAsync(store, modelUri, CancellationToken.None);
            var recommender = RecommenderFactory.Create(trained.Artifact);
            var batch = new BatchInference(recommender, store, Evaluator.NumResults, null, null);
            var config = new RuntimeConfig { CampaignArn = CampaignArn, CampaignName = "agreement", ModelUri = modelUri.ToString(), DatasetGroupUri = group.ToString() };
            var url = $"http://127.0.0.1:{FreePort.Next()}";
            var app = RuntimeApp.Create(config, store, ["--urls", url]);
            await app.StartAsync();
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri(url) };
                await Wait.UntilAsync(async ct => (await client.GetAsync("/readyz", ct)).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the runtime to turn ready");

                var seen = 0;
                foreach (var user in Enumerable.Range(0, 20).Select(u => $"u{u}"))
                {
                    var history = recommender.TrainedHistory(user);
                    var evaluated = await Evaluator.RecommendAsync(recommender, user, []);
                    var batched = (await batch.AnswerAsync(new JsonObject { ["userId"] = user }.ToJsonString()))["output"]!["recommendedItems"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();
                    using var response = await client.PostAsJsonAsync("/recommendations", new { campaignArn = CampaignArn, userId = user, numResults = Evaluator.NumResults });
                    response.EnsureSuccessStatusCode();
                    var served = (await response.Content.ReadFromJsonAsync<JsonObject>())!["itemList"]!.AsArray().Select(i => i!["itemId"]!.GetValue<string>()).ToList();

                    Assert.Equal(evaluated, batched);
                    Assert.Equal(evaluated, served);
                    seen += served.Intersect(history).Any() ? 1 : 0;
                }

                // The users' own items are among the answers: leaving them out anywhere would show here.
                Assert.True(seen > 0, "no answer contains an item from the user's history");
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
