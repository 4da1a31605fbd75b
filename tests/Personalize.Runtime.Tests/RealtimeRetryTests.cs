using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>A replica that fails to read a peer's real-time object retries it, and counts the failure.</summary>
[Collection(S3Collection.Name)]
public sealed class RealtimeRetryTests(S3Server s3)
{
    [Fact]
    public async Task AnObjectThatFailedToRead_IsRetriedNextPoll_AndTheFailuresAreCounted()
    {
        var config = await TestCampaign.CreateAsync(s3);
        await using var writer = await RuntimeServer.StartAsync(s3, config);
        await using var reader = await RuntimeServer.StartAsync(new InstrumentedStore(RuntimeServer.Store(s3), readFailures: 3), config);
        Assert.Equal("i4", (await reader.RecommendAsync("u1"))[0]);

        (await writer.PutEventAsync("u1", "i3")).EnsureOk();

        await Wait.UntilAsync(async _ => (await reader.RecommendAsync("u1"))[0] == "i7", TimeSpan.FromSeconds(15), "the reader to apply the event after its failed reads");
        var metrics = await reader.Client.GetStringAsync("/metrics");
        Assert.Contains("personalize_runtime_realtime_read_failures_total{dataset_type=\"Interactions\"} 3", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReplicaStartingWhileReadsFail_TurnsReadyOnlyWithEveryAcknowledgedEvent()
    {
        var config = await TestCampaign.CreateAsync(s3);
        await using (var writer = await RuntimeServer.StartAsync(s3, config))
        {
            (await writer.PutEventAsync("u2", "i1")).EnsureOk();
        }

        await using var replica = await RuntimeServer.StartAsync(new InstrumentedStore(RuntimeServer.Store(s3), readFailures: 2), config);

        Assert.Equal("i5", (await replica.RecommendAsync("u2"))[0]);
    }
}
