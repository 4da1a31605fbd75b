using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Local;

namespace Personalize.Operator.Tests;

/// <summary>
/// The local-mode operator in-process, registered as `personalize local` registers it, its endpoints served; the
/// test runs it (<see cref="RunAsync"/>) and disposing it stops every child.
/// </summary>
public sealed class LocalOperatorUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalOperatorUnderTest(WebApplication app)
    {
        _app = app;
        Host = app.Services.GetRequiredService<OperatorHost>();
        Store = app.Services.GetRequiredService<ManifestFolderStore>();
    }

    public OperatorHost Host { get; }

    /// <summary>Call <see cref="ManifestFolderStore.ApplyManifestsAsync"/> to take in edited manifests.</summary>
    public ManifestFolderStore Store { get; }

    /// <summary>Where /metrics, /healthz and /readyz are served.</summary>
    public string Url => _app.Url();

    public static async Task<LocalOperatorUnderTest> StartAsync(
        string manifests, string state, string storeRoot, OperatorSettings settings, LocalCommands commands, TextWriter progress, ILoggerFactory loggers) =>
        new(await OperatorWebApp.StartAsync(loggers, services => services
            .AddSingleton(settings)
            .AddSingleton(new LocalFolders(manifests, state, storeRoot))
            .AddPersonalizeLocalOperator(commands, progress)));

    public Task RunAsync(CancellationToken cancellationToken) => Host.RunAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
