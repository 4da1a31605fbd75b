using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Personalize.Api;
using Personalize.Operator.Controllers.Cluster;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Testing;
using Xunit;

namespace Personalize.Gateway.Tests;

/// <summary>
/// A Personalize member this installation cannot act on is refused naming it, never accepted and dropped; what the
/// operator would fail a solution for is refused at once. boto3 against the gateway over a real kube-apiserver.
/// </summary>
public sealed class UnsupportedMembersTests(ApiServerWithCrds fixture) : IClassFixture<ApiServerWithCrds>
{
    [Fact]
    public async Task SetUnsupportedMembers_AreInvalidInputNamingThem_AndCreateNothing_WhileEmptyOnesPass()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var tenant = await fixture.Server.CreateNamespaceAsync("unsupported", timeout.Token);
        using var client = fixture.Server.CreateClient();
        using var stop = new CancellationTokenSource();
        var store = new KubernetesResourceStore(client, watchNamespaces: [], new InformerOptions(), new OperatorMetrics(), NullLoggerFactory.Instance);
        await store.StartAsync(stop.Token);
        try
        {
            await using var gateway = await GatewayServer.StartAsync(store, new GatewayOptions { OpenNamespace = tenant }, NullLoggerFactory.Instance, timeout.Token);
            var seen = await Boto3.RunAsync("unsupported_members.py", [gateway.Endpoint.ToString().TrimEnd('/')], TimeSpan.FromMinutes(2));

            AssertRefused(seen["eventsConfig"], "solutionConfig.eventsConfig is not supported: this installation does not weight event types");
            AssertRefused(seen["autoMLWithHyperParameters"], "solutionConfig.algorithmHyperParameters: not allowed with performAutoML");
            AssertRefused(seen["noRecipe"], "recipeArn: required unless performAutoML is true");
            AssertRefused(seen["bareRecipeName"], "recipeArn: aws-hrnn is not the ARN of a recipe this product trains (");
            Assert.Empty(seen["solutionsAfterRefusals"]!.AsArray());

            // A refused update changes nothing, not even the member it could have honoured.
            AssertRefused(seen["updateEventsConfig"], "solutionUpdateConfig.eventsConfig is not supported");
            Assert.False(seen["autoTrainingAfterRefusal"]!.GetValue<bool>());

            AssertRefused(seen["rankingInfluence"], "campaignConfig.rankingInfluence is not supported: this installation does not apply ranking influence");
            Assert.Empty(seen["campaignsAfterRefusal"]!.AsArray());
            AssertRefused(seen["kmsKeyArn"], "jobOutput.s3DataDestination.kmsKeyArn is not supported: this installation does not encrypt with AWS KMS; encrypt the bucket server-side instead");
            Assert.Empty(seen["jobsAfterRefusal"]!.AsArray());

            Assert.Equal(["Plain"], seen["solutions"]!.AsArray().Select(n => n!.GetValue<string>()));
            Assert.Equal(["Plain"], seen["campaigns"]!.AsArray().Select(n => n!.GetValue<string>()));
            Assert.Equal(["Plain"], seen["jobs"]!.AsArray().Select(n => n!.GetValue<string>()));
            // The API server agrees: nothing refused reached the cluster.
            Assert.Equal(["plain"], await StoredNamesAsync<Solution>(client, tenant, timeout.Token));
            Assert.Equal(["plain"], await StoredNamesAsync<Campaign>(client, tenant, timeout.Token));
            Assert.Equal(["plain"], await StoredNamesAsync<BatchInferenceJob>(client, tenant, timeout.Token));
        }
        finally
        {
            await stop.CancelAsync();
            await store.Completion.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    private static async Task<IEnumerable<string>> StoredNamesAsync<T>(IKubernetes client, string @namespace, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource
    {
        var entity = ApiGroup.EntityOf<T>();
        var stored = await client.CustomObjects.ListNamespacedCustomObjectAsync<CustomResourceList<T>>(entity.Group, entity.ApiVersion, @namespace, entity.PluralName, cancellationToken: cancellationToken);
        return stored.Items.Select(r => r.Metadata.Name);
    }

    private static void AssertRefused(JsonNode? refusal, string message)
    {
        Assert.NotNull(refusal);
        Assert.Equal("InvalidInputException", refusal["code"]!.GetValue<string>());
        Assert.Equal(400, refusal["status"]!.GetValue<int>());
        Assert.Contains(message, refusal["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
