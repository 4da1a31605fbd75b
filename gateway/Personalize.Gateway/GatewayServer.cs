using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Personalize.Gateway.Auth;
using Personalize.Gateway.ControlPlane;
using Personalize.Gateway.Metrics;
using Personalize.Gateway.Protocol;
using Personalize.Gateway.Routing;
using Personalize.Operator.Controllers.Seams;
using Prometheus;
using Yarp.ReverseProxy.Forwarder;

namespace Personalize.Gateway;

/// <summary>
/// The Personalize API on one endpoint, as a table: `POST /` with `X-Amz-Target: AmazonPersonalize.*` is the control
/// plane over the resource store; the runtime and events paths are forwarded (YARP's IHttpForwarder) to the campaign
/// runtime the request names. Every call is first authenticated (SigV4, or the open namespace in local mode), and
/// counted by operation and status on /metrics.
/// </summary>
public sealed class GatewayServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The endpoint_url clients use.</summary>
    public Uri Endpoint { get; }

    public static async Task<GatewayServer> StartAsync(IResourceStore store, GatewayOptions options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.Services.AddHttpForwarder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (options.ListenOnAllInterfaces)
            {
                k.ListenAnyIP(options.Port);
            }
            else
            {
                k.Listen(IPAddress.Loopback, options.Port);
            }
        });

        var app = builder.Build();
        var verifier = options.AccessKeys is { } keys ? new SigV4Verifier(keys, TimeProvider.System) : null;
        var logger = loggers.CreateLogger<GatewayServer>();
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        var client = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false });
        app.Lifetime.ApplicationStopped.Register(client.Dispose);

        var metrics = new GatewayMetrics();
        app.MapGet("/healthz", () => "ok");
        app.MapMetrics("/metrics", metrics.Registry);
        app.MapPost("/", context => Guarded(context, ControlPlaneOperation(context), async body =>
        {
            var target = context.Request.Headers[AwsJson.TargetHeader].ToString();
            if (!target.StartsWith(AwsJson.TargetPrefix, StringComparison.Ordinal))
            {
                throw PersonalizeException.UnknownOperation($"{AwsJson.TargetHeader} must be {AwsJson.TargetPrefix}<Operation>.");
            }

            var tenant = await TenantOfAsync(context, body);
            var call = new Call(store, tenant, new RequestFields(AwsJson.ParseBody(body)), context.RequestAborted);
            await AwsJson.WriteAsync(context, await Operations.InvokeAsync(target[AwsJson.TargetPrefix.Length..], call));
        }));
        foreach (var path in RuntimeRoutes.Paths)
        {
            app.MapPost(path, context => Guarded(context, RuntimeRoutes.OperationOf(path), async body =>
            {
                var tenant = await TenantOfAsync(context, body);
                var endpoint = RuntimeRoutes.DestinationOf(store, tenant, path, AwsJson.ParseBody(body));
                var target = await options.RuntimeAccess.ResolveAsync(endpoint, context.RequestAborted);
                IReadOnlyList<string?> tokens = target.Tokens.Count == 0 ? [(string?)null] : [.. target.Tokens];
                for (var attempt = 0; attempt < tokens.Count; attempt++)
                {
                    context.Request.Body = new MemoryStream(body, writable: false);
                    var transformer = new RuntimeCallTransformer(tokens[attempt], holdRefusal: attempt < tokens.Count - 1);
                    var error = await forwarder.SendAsync(context, target.Destination, client, ForwarderRequestConfig.Empty, transformer);
                    if (error != ForwarderError.None && !context.Response.HasStarted)
                    {
                        logger.LogWarning("forwarding {Path} to {Destination} failed: {Error}", path, target.Destination, error);
                        await AwsJson.WriteErrorAsync(context, new PersonalizeException("ServiceUnavailableException", $"The campaign runtime at {endpoint} did not answer ({error}).", 503));
                    }

                    if (!transformer.Refused)
                    {
                        break;
                    }

                    if (attempt == tokens.Count - 1)
                    {
                        // Every token was refused: they were rotated since the cache read them.
                        options.RuntimeAccess.Forget(endpoint);
                    }
                }
            }));
        }

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
        return new GatewayServer(app, new Uri($"http://127.0.0.1:{port}"));

        async Task<string> TenantOfAsync(HttpContext context, byte[] body)
        {
            if (verifier is null)
            {
                return options.OpenNamespace;
            }

            var key = await verifier.VerifyAsync(context.Request, body, context.RequestAborted);
            if (options.ServedNamespaces.Count > 0 && !options.ServedNamespaces.Contains(key.Namespace, StringComparer.Ordinal))
            {
                throw PersonalizeException.AccessDenied(
                    $"Access key {key.AccessKeyId} acts in namespace {key.Namespace}, which this gateway does not serve (operator.watchNamespaces: {string.Join(", ", options.ServedNamespaces)}).");
            }

            return key.Namespace;
        }

        static string ControlPlaneOperation(HttpContext context) =>
            context.Request.Headers[AwsJson.TargetHeader].ToString() is var target
                && target.StartsWith(AwsJson.TargetPrefix, StringComparison.Ordinal)
                && Operations.Serves(target[AwsJson.TargetPrefix.Length..])
                ? target[AwsJson.TargetPrefix.Length..]
                : GatewayMetrics.Unknown;

        async Task Guarded(HttpContext context, string operation, Func<byte[], Task> serve)
        {
            context.Response.Headers[AwsJson.RequestIdHeader] = Guid.NewGuid().ToString("D");
            var started = TimeProvider.System.GetTimestamp();
            try
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
                await serve(buffer.ToArray());
            }
            catch (PersonalizeException ex) when (!context.Response.HasStarted)
            {
                await AwsJson.WriteErrorAsync(context, ex);
            }
            catch (ResourceNotFoundException ex) when (!context.Response.HasStarted)
            {
                // The resource went away between the lookup and the write.
                await AwsJson.WriteErrorAsync(context, PersonalizeException.NotFound(ex.Message));
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
            {
                logger.LogError(ex, "{Path} failed", context.Request.Path);
                await AwsJson.WriteErrorAsync(context, new PersonalizeException("InternalFailure", ex.Message, 500));
            }
            finally
            {
                metrics.Record(operation, context.Response.StatusCode, TimeProvider.System.GetElapsedTime(started));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
