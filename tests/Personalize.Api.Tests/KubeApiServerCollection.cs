using Personalize.Testing;

namespace Personalize.Api.Tests;

/// <summary>One real API server, with the generated CRDs installed, shared by the tests that talk to it.</summary>
[CollectionDefinition(Name)]
public sealed class KubeApiServerCollection : ICollectionFixture<ApiServerWithCrds>
{
    public const string Name = "kube-apiserver with CRDs";
}

public sealed class ApiServerWithCrds : IAsyncLifetime
{
    public KubeApiServer Server { get; } = new();

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        var crds = Path.Combine(InfraPaths.RepoRoot, "config", "crd");
        (await Server.KubectlAsync("apply", "-f", crds)).EnsureSuccess("kubectl apply config/crd");
        (await Server.KubectlAsync("wait", "--for=condition=Established", "--timeout=60s", "-f", crds)).EnsureSuccess("CRDs established");
    }

    public Task DisposeAsync() => Server.DisposeAsync();
}
