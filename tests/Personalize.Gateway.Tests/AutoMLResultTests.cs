using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Personalize.Api;
using Xunit;

namespace Personalize.Gateway.Tests;

/// <summary>describe_solution's autoMLResult agrees with the version a client has just seen ACTIVE.</summary>
public sealed class AutoMLResultTests
{
    [Fact]
    public async Task DescribeSolution_NamesTheActiveLatestVersionsRecipe_BeforeTheOperatorCopiedItIntoTheSolution()
    {
        await using var gateway = await FolderGateway.StartAsync(new GatewayOptions());
        await gateway.Store.CreateAsync(
            new Solution
            {
                Metadata = new V1ObjectMeta { Name = "automl", NamespaceProperty = "default" },
                Spec = new SolutionSpec { DatasetGroupRef = new ResourceRef { Name = "shop" }, PerformAutoML = true },
            },
            CancellationToken.None);
        var version = await gateway.Store.CreateAsync(
            new SolutionVersion
            {
                Metadata = new V1ObjectMeta { Name = "automl-v1", NamespaceProperty = "default" },
                Spec = new SolutionVersionSpec { SolutionRef = new ResourceRef { Name = "automl" } },
            },
            CancellationToken.None);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Endpoint) };

        Assert.Null((await DescribeAsync(http))["autoMLResult"]);

        // The version is ACTIVE; the Solution's status has no result yet (its controller has not run again).
        version.Status.Phase = Phases.Active;
        version.Status.Recipe = "arn:aws:personalize:::recipe/aws-hrnn-metadata";
        await gateway.Store.UpdateStatusAsync(version, CancellationToken.None);

        Assert.Equal("arn:aws:personalize:::recipe/aws-hrnn-metadata", (await DescribeAsync(http))["autoMLResult"]?["bestRecipeArn"]?.GetValue<string>());
    }

    private static async Task<JsonNode> DescribeAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent("""{"solutionArn":"arn:k8s:personalize:default::solution/automl"}""", Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        request.Headers.Add("X-Amz-Target", "AmazonPersonalize.DescribeSolution");
        using var reply = await http.SendAsync(request);
        var body = await reply.Content.ReadAsStringAsync();
        Assert.True(reply.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["solution"]!;
    }
}
