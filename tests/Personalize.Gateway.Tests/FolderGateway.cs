using Microsoft.Extensions.Logging.Abstractions;
using Personalize.Operator.Controllers.Local;

namespace Personalize.Gateway.Tests;

/// <summary>The gateway in process over local mode's folder store (no controllers: statuses stay as the API wrote them).</summary>
public sealed class FolderGateway : IAsyncDisposable
{
    private readonly DirectoryInfo _root;

    private FolderGateway(DirectoryInfo root, ManifestFolderStore store, GatewayServer server)
    {
        _root = root;
        Store = store;
        Server = server;
    }

    public ManifestFolderStore Store { get; }

    public GatewayServer Server { get; }

    public string Endpoint => Server.Endpoint.ToString().TrimEnd('/');

    public string StateFolder => Path.Combine(_root.FullName, "state");

    public static async Task<FolderGateway> StartAsync(GatewayOptions options)
    {
        var root = Directory.CreateTempSubdirectory("personalize-gateway-");
        var store = new ManifestFolderStore(Directory.CreateDirectory(Path.Combine(root.FullName, "manifests")).FullName, Path.Combine(root.FullName, "state"));
        await store.StartAsync(CancellationToken.None);
        return new FolderGateway(root, store, await GatewayServer.StartAsync(store, options, NullLoggerFactory.Instance, CancellationToken.None));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _root.Delete(recursive: true);
    }
}
