using System.Diagnostics;
using System.Text.Json.Nodes;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>boto3's personalize-runtime and personalize-events clients against the runtime, as a user calls them.</summary>
[Collection(S3Collection.Name)]
public sealed class Boto3ClientTests(S3Server s3)
{
    [Fact]
    public async Task Boto3ClientsWorkWithEndpointUrl_AndRaiseTheModelledExceptions()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        var startInfo = new ProcessStartInfo("python3");
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "boto3_client.py"),
            runtime.BaseAddress.ToString().TrimEnd('/'),
            RuntimeServer.CampaignArn,
            RuntimeServer.TrackingId,
            RuntimeServer.ItemsDatasetArn,
            RuntimeServer.UsersDatasetArn,
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        // ProcessRunner strips LD_LIBRARY_PATH, so python runs with the machine's own libraries.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = (await ProcessRunner.RunAsync(startInfo, standardInput: null, timeout.Token)).EnsureSuccess("boto3_client.py");
        var seen = JsonNode.Parse(result.StdOut.Trim().Split('\n')[^1])!;

        Assert.Equal("i4", seen["before"]![0]!.GetValue<string>());
        Assert.True(seen["score"]!.GetValue<double>() > 0);
        Assert.StartsWith("RID-", seen["recommendationId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(Guid.TryParse(seen["requestId"]!.GetValue<string>(), out _));
        Assert.Equal("i5", seen["after"]![0]!.GetValue<string>());
        Assert.Equal(["i6", "i1", "unknown"], seen["ranking"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.StartsWith("InvalidInputException: numResults", seen["tooMany"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("ResourceNotFoundException: Campaign", seen["unknownCampaign"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("events.InvalidInputException: eventList[0].properties", seen["badEvent"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
