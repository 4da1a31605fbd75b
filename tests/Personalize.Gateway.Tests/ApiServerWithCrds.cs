using Personalize.Testing;
using Xunit;

namespace Personalize.Gateway.Tests;

/// <summary>One real API server with the generated CRDs installed.</summary>
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
