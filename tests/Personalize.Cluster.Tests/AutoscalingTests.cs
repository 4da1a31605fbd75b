using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Personalize.Testing;
using Xunit;

namespace Personalize.Cluster.Tests;

/// <summary>
/// Load above what one replica serves, through the campaign's Service (its cluster IP, which kube-proxy spreads over the
/// replicas): the operator scrapes the runtimes' request counters, raises the Deployment's replicas to follow the
/// TPS, and lowers them back to the minimum once the load stops.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AutoscalingTests(InstalledProduct product)
{
    private const string Campaign = "quickstart-for-you";

    /// <summary>Twice what one replica is planned for (<see cref="InstalledProduct.TpsPerReplica"/>), below what three serve.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1.0 / (2 * InstalledProduct.TpsPerReplica));

    [Fact]
    public async Task LoadAboveOneReplicasTps_RaisesTheReplicas_AndTheyComeBackDownWhenItStops()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var ct = timeout.Token;
        await product.WaitForPhaseAsync("campaign", Campaign, "ACTIVE", TimeSpan.FromMinutes(8), ct);
        await product.WaitAsync(async t => await ReplicasAsync(t) == 1, TimeSpan.FromMinutes(3), $"campaign {Campaign} at one replica before the load", ct);
        var arn = await product.FieldAsync("campaign", Campaign, "{.status.arn}", ct);
        var clusterIp = await product.FieldAsync("service", Campaign, "{.spec.clusterIP}", ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{clusterIp}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await product.TokenAsync(Campaign, ct));

        var served = 0;
        var failed = 0;
        using var load = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var generator = SendAtAFixedRateAsync(http, arn, () => Interlocked.Increment(ref served), () => Interlocked.Increment(ref failed), load.Token);
        try
        {
            await product.WaitAsync(
                async t => await ReplicasAsync(t) >= 2
                    && int.TryParse(await product.FieldAsync("deployment", Campaign, "{.status.readyReplicas}", t), out var ready) && ready >= 2
                    && double.TryParse(await product.FieldAsync("campaign", Campaign, "{.status.observedTPS}", t), CultureInfo.InvariantCulture, out var tps)
                    && tps > InstalledProduct.TpsPerReplica * 0.8,
                TimeSpan.FromMinutes(5),
                $"campaign {Campaign} scaled above one ready replica by the scraped TPS",
                ct);
        }
        finally
        {
            await load.CancelAsync();
            await generator;
        }

        Assert.True(served > 0, "no request was served under load");
        Assert.Equal(0, failed);
        await product.WaitAsync(
            async t => await ReplicasAsync(t) == 1 && await product.FieldAsync("campaign", Campaign, "{.status.desiredReplicas}", t) == "1",
            TimeSpan.FromMinutes(4),
            $"campaign {Campaign} back at one replica once the load stopped",
            ct);
    }

    private async Task<int> ReplicasAsync(CancellationToken cancellationToken) =>
        int.TryParse(await product.FieldAsync("deployment", Campaign, "{.spec.replicas}", cancellationToken), out var replicas) ? replicas : 0;

    /// <summary>One request per <see cref="Interval"/>, not waiting for answers (at most 64 in flight): a steady
    /// offered load. A 429 is the runtime shedding above its rate limit, expected until the replicas follow; anything else
    /// but a 200 is a failure.</summary>
    private static async Task SendAtAFixedRateAsync(HttpClient http, string arn, Action onServed, Action onFailed, CancellationToken cancellationToken)
    {
        using var inFlight = new SemaphoreSlim(64);
        var pending = new List<Task>();
        using var timer = new PeriodicTimer(Interval);
        var n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (!inFlight.Wait(0))
                {
                    continue;
                }

                var user = $"u{(n++ % 1000).ToString(CultureInfo.InvariantCulture)}";
                pending.Add(SendOneAsync(user));
                pending.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException)
        {
            // The load stops.
        }

        await Task.WhenAll(pending);

        async Task SendOneAsync(string user)
        {
            try
            {
                using var reply = await http.PostAsJsonAsync("/recommendations", new { campaignArn = arn, userId = user, numResults = 10 }, CancellationToken.None);
                if (reply.IsSuccessStatusCode)
                {
                    onServed();
                }
                else if (reply.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    onFailed();
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                onFailed();
            }
            finally
            {
                inFlight.Release();
            }
        }
    }
}
