using System.Net;
using System.Text;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Personalize.Api;
using Personalize.Gateway.Routing;
using Personalize.Jobs;
using Personalize.Runtime.Http;
using Personalize.Testing;
using Xunit;

namespace Personalize.Gateway.Tests;

/// <summary>
/// The gateway authenticates to a campaign's runtime with the campaign's tokens, as the runtime's own bearer check
/// (<see cref="BearerTokenFilter"/> over a token file, as the pods mount it) sees them: the current token, the previous
/// one while the pods still hold the old file after a rotation, and a refusal passed on (and the tokens read again)
/// once neither is accepted. Where the cluster resolves a Service's address and Secret, <see cref="FixedTokens"/>
/// stands in (a cluster IP is not reachable without a node; ClusterRuntimeAccessTests and the cluster suite cover it).
/// </summary>
public sealed class RuntimeTokenTests : IDisposable
{
    private readonly string _tokenFile = Path.GetTempFileName();

    [Fact]
    public async Task CallsCarryTheCurrentToken_FallBackToThePreviousAfterARotation_AndPassOnARefusal()
    {
        await File.WriteAllTextAsync(_tokenFile, "old\n");
        await using var runtime = await StartRuntimeStandInAsync();
        var access = new FixedTokens(runtime.Urls.First(), ["new", "old"]);
        await using var gateway = await FolderGateway.StartAsync(new GatewayOptions { RuntimeAccess = access });
        await gateway.Store.CreateAsync(
            new Campaign { Metadata = new V1ObjectMeta { Name = "shop", NamespaceProperty = "default" }, Spec = new CampaignSpec { SolutionVersionRef = new ResourceRef { Name = "v1" } } },
            CancellationToken.None);
        var campaign = gateway.Store.Get<Campaign>("default", "shop")!;
        campaign.Status.Phase = Phases.Active;
        campaign.Status.Endpoint = "http://shop.default.svc.cluster.local";
        await gateway.Store.UpdateStatusAsync(campaign, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Endpoint) };

        // The Secret says "new", the pods still accept only "old": the previous token answers.
        Assert.Equal(HttpStatusCode.OK, await RecommendAsync(http));
        // The mount caught up.
        await File.WriteAllTextAsync(_tokenFile, "new\nold\n");
        await Wait.UntilAsync(async _ => await RecommendAsync(http) == HttpStatusCode.OK && runtime.LastToken == "new", TimeSpan.FromSeconds(10), "the current token accepted");
        Assert.Equal(0, access.Forgotten);

        // Rotated twice since the gateway read the tokens: the runtime's 401 reaches the client, and the tokens are read again.
        await File.WriteAllTextAsync(_tokenFile, "newest\nnewer\n");
        await Wait.UntilAsync(async _ => await RecommendAsync(http) == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(10), "the stale tokens refused");
        Assert.True(access.Forgotten > 0);
    }

    public void Dispose() => File.Delete(_tokenFile);

    private static async Task<HttpStatusCode> RecommendAsync(HttpClient http)
    {
        // The client's SigV4 Authorization was for the gateway; the runtime must see the bearer token instead.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/recommendations")
        {
            Content = new StringContent("""{"campaignArn":"arn:k8s:personalize:default::campaign/shop","userId":"u1"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/personalize/aws4_request, SignedHeaders=host, Signature=00");
        using var reply = await http.SendAsync(request);
        return reply.StatusCode;
    }

    private async Task<RuntimeStandIn> StartRuntimeStandInAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort.Next()}");
        var app = builder.Build();
        var standIn = new RuntimeStandIn(app);
        app.MapPost("/recommendations", (HttpContext context) =>
        {
            standIn.LastToken = context.Request.Headers.Authorization.ToString()["Bearer ".Length..];
            return Results.Json(new { itemList = Array.Empty<object>() });
        }).AddEndpointFilter(new BearerTokenFilter(new BearerToken(new RuntimeAuth { TokenFile = _tokenFile })));
        await app.StartAsync();
        return standIn;
    }

    /// <summary>A minimal endpoint behind the runtime's real bearer check.</summary>
    private sealed class RuntimeStandIn(WebApplication app) : IAsyncDisposable
    {
        public ICollection<string> Urls => app.Urls;

        public string? LastToken { get; set; }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }

    /// <summary>Resolves every campaign to one address with fixed tokens; counts how often they were forgotten.</summary>
    private sealed class FixedTokens(string destination, IReadOnlyList<string> tokens) : IRuntimeAccess
    {
        public int Forgotten { get; private set; }

        public Task<RuntimeTarget> ResolveAsync(string endpoint, CancellationToken cancellationToken) => Task.FromResult(new RuntimeTarget(destination, tokens));

        public void Forget(string endpoint) => Forgotten++;
    }
}
