using k8s;
using k8s.Models;
using Personalize.Gateway.Protocol;
using Personalize.Gateway.Routing;
using Personalize.Operator.Controllers.Cluster;
using Personalize.Testing;
using Xunit;

namespace Personalize.Gateway.Tests;

/// <summary>
/// Where the gateway sends a campaign's runtime calls in a cluster, read from a real API server: the Service's cluster IP
/// (no cluster DNS needed) and the campaign's accepted tokens, current first, read again once every token was refused.
/// </summary>
public sealed class ClusterRuntimeAccessTests(ApiServerWithCrds fixture) : IClassFixture<ApiServerWithCrds>
{
    [Fact]
    public async Task ResolvesTheServicesClusterIpAndTheTokens_AndRereadsThemAfterARefusal()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        var ns = await fixture.Server.CreateNamespaceAsync("runtime-access", ct);
        using var client = fixture.Server.CreateClient();
        var service = await client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "shop" },
                Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080 }], Selector = new Dictionary<string, string> { ["app"] = "shop" } },
            },
            ns,
            cancellationToken: ct);
        var endpoint = $"http://shop.{ns}.svc.cluster.local";
        var access = new ClusterRuntimeAccess(client, TimeProvider.System);

        // Runtime auth off: no token Secret, no token.
        var open = await access.ResolveAsync(endpoint, ct);
        Assert.Equal($"http://{service.Spec.ClusterIP}:80", open.Destination);
        Assert.Empty(open.Tokens);

        await client.CoreV1.CreateNamespacedSecretAsync(TokenSecret("second\nfirst\n"), ns, cancellationToken: ct);
        access.Forget(endpoint);
        Assert.Equal(["second", "first"], (await access.ResolveAsync(endpoint, ct)).Tokens);

        // Rotated: cached until every token was refused, then read again.
        await client.CoreV1.ReplaceNamespacedSecretAsync(TokenSecret("third\nsecond\n"), "shop-token", ns, cancellationToken: ct);
        Assert.Equal(["second", "first"], (await access.ResolveAsync(endpoint, ct)).Tokens);
        access.Forget(endpoint);
        Assert.Equal(["third", "second"], (await access.ResolveAsync(endpoint, ct)).Tokens);

        // A campaign whose Service is gone answers 503, naming it.
        var missing = await Assert.ThrowsAsync<PersonalizeException>(() => access.ResolveAsync($"http://gone.{ns}.svc.cluster.local", ct));
        Assert.Equal(503, missing.StatusCode);
        Assert.Contains($"{ns}/gone", missing.Message, StringComparison.Ordinal);
    }

    private static V1Secret TokenSecret(string accepted) => new()
    {
        Metadata = new V1ObjectMeta { Name = RuntimeTokens.SecretName("shop") },
        StringData = new Dictionary<string, string> { [RuntimeTokens.TokenKey] = accepted.Split('\n')[0], [RuntimeTokens.AcceptedKey] = accepted },
    };
}
