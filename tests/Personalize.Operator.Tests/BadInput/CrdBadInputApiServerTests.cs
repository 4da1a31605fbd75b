using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using Personalize.Api;
using Xunit;

namespace Personalize.Operator.Tests.BadInput;

/// <summary>
/// Every generated bad-input case of every kind against the real kube-apiserver with the generated CRDs (an update
/// of a stored baseline, or a create for a bad name): refused naming the field, and what was stored is unchanged. The
/// unknown-field cases are left out: the test kube-apiserver (v1.20) predates server-side field validation (Kubernetes
/// 1.25, which refuses them when kubectl sends fieldValidation=Strict) and prunes them instead.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class CrdBadInputApiServerTests(OperatorEnvironment env)
{
    private static readonly SemaphoreSlim NamespaceGate = new(1, 1);
    private static string? SharedNamespace;

    public static TheoryData<int, string> Cases() => CrdBadInputCases.Theory(c => !c.UnknownField);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ApiServer_RefusesNamingTheField_AndKeepsWhatIsStored(int index, string id)
    {
        var @case = CrdBadInputCases.All[index];
        var entity = ApiGroup.EntityOf(@case.Kind);
        var ns = await NamespaceAsync();
        using var client = env.Client();
        var name = $"c{index}";
        var baseline = CrdBadInputCases.Baseline(@case.Kind);
        baseline["metadata"]!["name"] = name;
        var stored = await client.CustomObjects.CreateNamespacedCustomObjectAsync<JsonObject>(baseline, entity.Group, entity.ApiVersion, ns, entity.PluralName);

        var manifest = @case.Manifest.DeepClone().AsObject();
        HttpOperationException refused;
        if (@case.RenamesTheObject)
        {
            refused = await Assert.ThrowsAsync<HttpOperationException>(() =>
                client.CustomObjects.CreateNamespacedCustomObjectAsync<JsonObject>(manifest, entity.Group, entity.ApiVersion, ns, entity.PluralName));
        }
        else
        {
            manifest["metadata"] = new JsonObject { ["name"] = name, ["resourceVersion"] = stored["metadata"]!["resourceVersion"]!.GetValue<string>() };
            refused = await Assert.ThrowsAsync<HttpOperationException>(() =>
                client.CustomObjects.ReplaceNamespacedCustomObjectAsync<JsonObject>(manifest, entity.Group, entity.ApiVersion, ns, entity.PluralName, name));
        }

        Assert.True(refused.Response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest, $"{id}: {refused.Response.StatusCode}");
        Assert.Contains(@case.Field, refused.Response.Content, StringComparison.Ordinal);
        var after = await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(entity.Group, entity.ApiVersion, ns, entity.PluralName, name);
        Assert.Equal(stored["spec"]!.ToJsonString(), after["spec"]!.ToJsonString());
        Assert.Equal(stored["metadata"]!["resourceVersion"]!.GetValue<string>(), after["metadata"]!["resourceVersion"]!.GetValue<string>());
        var all = await client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>(entity.Group, entity.ApiVersion, ns, entity.PluralName);
        Assert.DoesNotContain(all["items"]!.AsArray(), item => item!["metadata"]!["name"]!.GetValue<string>() == @case.Manifest["metadata"]!["name"]!.GetValue<string>());
    }

    private async Task<string> NamespaceAsync()
    {
        await NamespaceGate.WaitAsync();
        try
        {
            return SharedNamespace ??= await env.Kube.CreateNamespaceAsync("bad-input", CancellationToken.None);
        }
        finally
        {
            NamespaceGate.Release();
        }
    }
}
