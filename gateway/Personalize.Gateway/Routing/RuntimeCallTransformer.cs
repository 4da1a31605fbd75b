using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Personalize.Gateway.Routing;

/// <summary>
/// One forwarding attempt to a campaign runtime: the client's SigV4 Authorization was for the gateway, so it is replaced
/// by the runtime's bearer token (or dropped). When another token remains to try, a 401 is held back instead of copied
/// to the client (<see cref="Refused"/>), so the gateway can send the request again.
/// </summary>
public sealed class RuntimeCallTransformer(string? token, bool holdRefusal) : HttpTransformer
{
    /// <summary>The runtime answered 401 to this attempt.</summary>
    public bool Refused { get; private set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        Refused = proxyResponse?.StatusCode == HttpStatusCode.Unauthorized;
        if (Refused && holdRefusal)
        {
            // Nothing reaches the client; the forwarder set only the status, which the next attempt needs back at 200.
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            return ValueTask.FromResult(false);
        }

        return base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }
}
