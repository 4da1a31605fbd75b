using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Personalize.Jobs;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

[Collection(S3Collection.Name)]
public sealed class LimitsAndAuthTests(S3Server s3)
{
    [Fact]
    public async Task OversizedBody_Is413WithAMessage()
    {
        var config = await TestCampaign.CreateAsync(s3);
        config.Limits.MaxRequestBodyBytes = 4096;
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        var reply = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", context = new { PAD = new string('x', 8000) } });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.Status);
        Assert.Equal("InvalidInputException", reply.ErrorType);
        Assert.Contains("4096 bytes", reply.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AboveTheRateLimit_ShedsWith429_AndKeepsServing()
    {
        var config = await TestCampaign.CreateAsync(s3);
        config.Limits.MaxRequestsPerSecond = 20;
        config.Limits.Burst = 5;
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        var replies = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ =>
            runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1" })));
        var shed = replies.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(shed);
        Assert.All(shed, r => Assert.Equal("ThrottlingException", r.ErrorType));
        Assert.Contains(replies, r => r.Status == HttpStatusCode.OK);
        Assert.DoesNotContain(replies, r => (int)r.Status >= 500);
        await Wait.UntilAsync(
            async _ => (await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1" })).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(5),
            "the bucket to refill");
    }

    [Fact]
    public async Task WithATokenFile_RequestsNeedTheBearerToken_ProbesDoNot()
    {
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, "s3cret-token\n");
        var config = await TestCampaign.CreateAsync(s3);
        config.Auth = new RuntimeAuth { TokenFile = tokenFile };
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        var body = $"{{\"campaignArn\":\"{RuntimeServer.CampaignArn}\",\"userId\":\"u1\"}}";

        var anonymous = await runtime.PostAsync("/recommendations", body);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal("AccessDeniedException", anonymous.ErrorType);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/recommendations") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-token");
        using var authorized = await runtime.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await runtime.Client.GetAsync("/healthz")).StatusCode);
        File.Delete(tokenFile);
    }

    [Fact]
    public async Task ARotatedTokenFile_TakesEffectWithoutARestart_AcceptingEachLine()
    {
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, "first\n");
        var config = await TestCampaign.CreateAsync(s3);
        config.Auth = new RuntimeAuth { TokenFile = tokenFile };
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        async Task<HttpStatusCode> CallWithAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/recommendations")
            {
                Content = new StringContent($"{{\"campaignArn\":\"{RuntimeServer.CampaignArn}\",\"userId\":\"u1\"}}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var reply = await runtime.Client.SendAsync(request);
            return reply.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await CallWithAsync("first"));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallWithAsync("second"));

        // The operator's rotation: the new token, and the previous one while clients switch.
        await File.WriteAllTextAsync(tokenFile, "second\nfirst\n");
        await Wait.UntilAsync(async _ => await CallWithAsync("second") == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "the new token to be accepted");
        Assert.Equal(HttpStatusCode.OK, await CallWithAsync("first"));
        await File.WriteAllTextAsync(tokenFile, "third\nsecond\n");
        await Wait.UntilAsync(async _ => await CallWithAsync("first") == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(10), "the oldest token to be refused");
        Assert.Equal(HttpStatusCode.OK, await CallWithAsync("third"));
        File.Delete(tokenFile);
    }

    [Fact]
    public async Task MetricsCountRequestsPerOperation_EventsAccepted_AndTheModelVersion()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        await runtime.RecommendAsync("u1");
        await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", numResults = 900 });
        (await runtime.PutEventAsync("u1", "i1")).EnsureOk();
        var metrics = await runtime.Client.GetStringAsync("/metrics");
        Assert.Contains("personalize_runtime_requests_total{operation=\"GetRecommendations\",status=\"200\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("personalize_runtime_requests_total{operation=\"GetRecommendations\",status=\"400\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("personalize_runtime_request_duration_seconds_bucket{operation=\"PutEvents\"", metrics, StringComparison.Ordinal);
        Assert.Contains("personalize_runtime_events_accepted_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("solution_version=\"arn:k8s:personalize:test::solution/movies/v1\"", metrics, StringComparison.Ordinal);
        Assert.Contains("personalize_runtime_observed_tps", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_HaveEveryRuntimeSeriesTheDashboardAndAlertsQuery()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        await runtime.RecommendAsync("u1");
        (await runtime.PutEventAsync("u1", "i1")).EnsureOk();

        var metrics = await runtime.Client.GetStringAsync("/metrics");

        var exposed = MonitoringQueries.ExposedNames(metrics);
        var queried = MonitoringQueries.DashboardExpressions().Concat(MonitoringQueries.AlertExpressions())
            .SelectMany(MonitoringQueries.MetricNames).Where(n => n.StartsWith("personalize_runtime_", StringComparison.Ordinal)).ToHashSet();
        Assert.NotEmpty(queried);
        Assert.All(queried, name => Assert.True(exposed.Contains(name), $"the dashboard or alerts query {name}, which the runtime does not export:\n{metrics}"));
        // The dashboard finds a pod's campaign through this series.
        Assert.Contains("personalize_runtime_model_info{campaign=\"movies\"", metrics, StringComparison.Ordinal);
    }
}
