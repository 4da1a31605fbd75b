using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Personalize.Operator.Controllers.Local;

/// <summary>
/// A local campaign's stable address, as its Service is in a cluster: a loopback listener that forwards every request
/// (YARP's forwarder) to the runtime process serving now. A rollout (a config change, an automatic update) starts the
/// runtime on a new port, so without it the campaign's URL would change with each one. The port is kept in the state
/// folder, so a rerun serves on the same URL while that port is free.
/// </summary>
internal sealed class CampaignEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _client;
    private volatile string? _runtime;

    private CampaignEndpoint(WebApplication app, HttpMessageInvoker client)
    {
        _app = app;
        _client = client;
    }

    public string Url { get; private set; } = string.Empty;

    /// <summary>Listens on the port saved in <paramref name="portFile"/> when it is free, else on a new one, which it saves.</summary>
    public static async Task<CampaignEndpoint> StartAsync(string campaign, string portFile, CancellationToken cancellationToken)
    {
        var saved = File.Exists(portFile) && int.TryParse(await File.ReadAllTextAsync(portFile, cancellationToken), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : 0;
        CampaignEndpoint endpoint;
        try
        {
            endpoint = await StartOnAsync(campaign, saved, cancellationToken);
        }
        catch (IOException) when (saved != 0)
        {
            // Another program took the port since the last run: the campaign moves, and its status shows the new URL.
            endpoint = await StartOnAsync(campaign, 0, cancellationToken);
        }

        await File.WriteAllTextAsync(portFile, new Uri(endpoint.Url).Port.ToString(CultureInfo.InvariantCulture), cancellationToken);
        return endpoint;
    }

    /// <summary>Sends the campaign's requests to <paramref name="runtimeUrl"/> from now on.</summary>
    public void Route(string runtimeUrl) => _runtime = runtimeUrl;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
    }

    private static async Task<CampaignEndpoint> StartOnAsync(string campaign, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        // The forwarder's own client: no proxy, cookies or redirects of its own, so requests pass through unchanged.
        var client = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None });
        var endpoint = new CampaignEndpoint(app, client);
        app.Map("/{**path}", async (HttpContext context, IHttpForwarder forwarder) =>
        {
            if (endpoint._runtime is not { } runtime)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsync($"campaign {campaign}'s runtime is starting: no runtime is ready yet", context.RequestAborted);
                return;
            }

            await forwarder.SendAsync(context, runtime, client, ForwarderRequestConfig.Empty, HttpTransformer.Default);
        });
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            client.Dispose();
            throw;
        }

        endpoint.Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return endpoint;
    }
}
