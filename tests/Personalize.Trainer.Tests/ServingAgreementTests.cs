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
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// Offline metrics measure what is served only if evaluation, batch inference and the runtime ask the model the
/// same question: the same users must get the same items, in the same order, from all three.
/// </summary>
public sealed class ServingAgreementTests
{
    private const string CampaignArn = "arn:k8s:personalize:test::campaign/agreement";
    private const string TrackingId = "0c6b1f2e-3a4d-4e5f-8a9b-1c2d3e4f5a6b";

    /// <remarks>aws-hrnn-coldstart starts each user's state from their metadata: evaluation must ask for the user, not for their events alone.</remarks>
    [Theory]
    [InlineData(Recipes.Hrnn)]
    [InlineData(Recipes.HrnnColdstart)]
    public async Task EvaluationBatchAndRuntime_RecommendTheSameItems_InTheSameOrder(string recipe)
    {
        var answers = await ServeAsync(recipe, TasteData.Create(users: 150));

        // TasteData's users come back to items they had, and the users' own items are among the answers: leaving them
        // out anywhere would show here.
        Assert.Contains(answers, a => a.Served.Intersect(a.History).Any());
    }

    /// <remarks>
    /// Where users never repeat items the model puts a user's own items after the new ones (<see cref="Models.Artifacts.ModelManifest.RepeatShare"/>):
    /// in evaluation, batch and the runtime alike, without a filter.
    /// </remarks>
    [Fact]
    public async Task OnRatingData_NoAnswerHoldsTheUsersOwnItems_AndAllThreeAgree()
    {
        var answers = await ServeAsync(Recipes.Hrnn, RatingData.Create(), async client =>
        {
            // An item the user rates now leaves their next list, as the items they rated before training did.
            var first = await ServedAsync(client, "u0");
            using var events = await client.PostAsJsonAsync("/events", new
            {
                trackingId = TrackingId,
                userId = "u0",
                sessionId = "s-u0",
                eventList = new[] { new { eventType = "rating", itemId = first[0], sentAt = 1_800_000_000 } },
            });
            events.EnsureSuccessStatusCode();
            var next = await ServedAsync(client, "u0");
            Assert.DoesNotContain(first[0], next);
            Assert.Equal(Evaluator.NumResults, next.Count);
        });

        Assert.All(answers, a => Assert.Empty(a.Served.Intersect(a.History)));
    }

    /// <summary>
    /// Trains the recipe, then asks evaluation, batch inference and a runtime over HTTP for 20 users' lists, asserting
    /// they agree; <paramref name="then"/> goes on with the runtime's client.
    /// </summary>
    private static async Task<List<(IReadOnlyList<string> History, List<string> Served)>> ServeAsync(string recipe, TrainingData data, Func<HttpClient, Task>? then = null)
    {
        var root = Directory.CreateTempSubdirectory("trainer-agreement-").FullName;
        try
        {
            var store = new FolderObjectStore(root);
            var group = new StoreLayout("bucket").DatasetGroup("test", "agreement");
            var modelUri = StoreLayout.Model(group, "solution", "v1");
            var trained = await Training.TrainAsync(recipe, data);
            await trained.Artifact.SaveAsync(store, modelUri, CancellationToken.None);
            var recommender = RecommenderFactory.Create(trained.Artifact);
            var batch = new BatchInference(recommender, store, Evaluator.NumResults, null, null);
            var config = new RuntimeConfig
            {
                CampaignArn = CampaignArn,
                CampaignName = "agreement",
                ModelUri = modelUri.ToString(),
                DatasetGroupUri = group.ToString(),
                TrackingIds = [TrackingId],
            };
            var url = $"http://127.0.0.1:{FreePort.Next()}";
            var app = RuntimeApp.Create(config, store, ["--urls", url]);
            await app.StartAsync();
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri(url) };
                await Wait.UntilAsync(async ct => (await client.GetAsync("/readyz", ct)).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the runtime to turn ready");

                var answers = new List<(IReadOnlyList<string> History, List<string> Served)>();
                foreach (var user in Enumerable.Range(0, 20).Select(u => $"u{u}"))
                {
                    var evaluated = await Evaluator.RecommendAsync(recommender, user, []);
                    var batched = (await batch.AnswerAsync(new JsonObject { ["userId"] = user }.ToJsonString()))["output"]!["recommendedItems"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();
                    var served = await ServedAsync(client, user);

                    Assert.Equal(Evaluator.NumResults, served.Count);
                    Assert.Equal(evaluated, batched);
                    Assert.Equal(evaluated, served);
                    answers.Add((recommender.TrainedHistory(user), served));
                }

                if (then is not null)
                {
                    await then(client);
                }

                return answers;
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

    /// <summary>The runtime's GetRecommendations list for the user.</summary>
    private static async Task<List<string>> ServedAsync(HttpClient client, string user)
    {
        using var response = await client.PostAsJsonAsync("/recommendations", new { campaignArn = CampaignArn, userId = user, numResults = Evaluator.NumResults });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["itemList"]!.AsArray().Select(i => i!["itemId"]!.GetValue<string>()).ToList();
    }
}
