using System.Text;
using Xunit;

namespace Personalize.Gateway.Tests;

/// <summary>The gateway's /metrics: calls counted by Personalize operation and HTTP status, in Prometheus' text format.</summary>
public sealed class GatewayMetricsTests
{
    [Fact]
    public async Task Metrics_CountCallsByOperationAndStatus_AndUnknownOperationsUnderOneLabel()
    {
        await using var gateway = await FolderGateway.StartAsync(new GatewayOptions());
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Endpoint) };

        Assert.Equal(200, await CallAsync(http, "/", "ListRecipes", "{}"));
        Assert.Equal(200, await CallAsync(http, "/", "ListRecipes", "{}"));
        Assert.Equal(400, await CallAsync(http, "/", "DescribeDatasetGroup", """{"datasetGroupArn":"arn:k8s:personalize:default::dataset-group/missing"}"""));
        Assert.Equal(400, await CallAsync(http, "/", "NoSuchOperation", "{}"));
        Assert.Equal(400, await CallAsync(http, "/recommendations", null, """{"campaignArn":"arn:k8s:personalize:default::campaign/missing","userId":"u1"}"""));

        var text = await http.GetStringAsync("/metrics");
        Assert.Contains("personalize_gateway_requests_total{operation=\"ListRecipes\",status=\"200\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("personalize_gateway_requests_total{operation=\"DescribeDatasetGroup\",status=\"400\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("personalize_gateway_requests_total{operation=\"Unknown\",status=\"400\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("personalize_gateway_requests_total{operation=\"GetRecommendations\",status=\"400\"} 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("NoSuchOperation", text, StringComparison.Ordinal);
        Assert.Contains("personalize_gateway_request_duration_seconds_count{operation=\"ListRecipes\"} 2", text, StringComparison.Ordinal);
    }

    private static async Task<int> CallAsync(HttpClient http, string path, string? operation, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/x-amz-json-1.1") };
        if (operation is not null)
        {
            request.Headers.Add("X-Amz-Target", $"AmazonPersonalize.{operation}");
        }

        using var reply = await http.SendAsync(request);
        return (int)reply.StatusCode;
    }
}
