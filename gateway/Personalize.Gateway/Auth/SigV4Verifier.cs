using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Personalize.Gateway.Protocol;

namespace Personalize.Gateway.Auth;

/// <summary>
/// Verifies AWS Signature Version 4 as the AWS SDKs sign (botocore's SigV4Auth): the canonical request from method,
/// path, query, the signed headers and the body's SHA-256, signed with the key derived from the secret, date, region
/// and service. The region and service are taken from the credential scope the client sent, as any endpoint_url
/// client signs with its own. A request older or newer than 15 minutes is refused, as AWS does.
/// </summary>
public sealed class SigV4Verifier(IAccessKeys keys, TimeProvider time)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";
    private static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(15);

    /// <summary>The key that signed the request; an unsigned or wrongly signed request throws the AWS error.</summary>
    public async Task<AccessKey> VerifyAsync(HttpRequest request, byte[] body, CancellationToken cancellationToken)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            throw PersonalizeException.UnrecognizedClient("The request is not signed: an AWS Signature Version 4 Authorization header is required.");
        }

        var parts = authorization[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedHeaders) || !parts.TryGetValue("Signature", out var signature)
            || credential.Split('/') is not [var keyId, var date, var region, var service, "aws4_request"])
        {
            throw PersonalizeException.InvalidSignature("The Authorization header is not a well-formed AWS Signature Version 4 header.");
        }

        var key = await keys.FindAsync(keyId, cancellationToken)
            ?? throw PersonalizeException.UnrecognizedClient("The security token included in the request is invalid.");

        var amzDate = request.Headers["x-amz-date"].ToString();
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt)
            || !amzDate.StartsWith(date, StringComparison.Ordinal))
        {
            throw PersonalizeException.InvalidSignature("X-Amz-Date is missing or does not match the credential scope.");
        }

        if ((time.GetUtcNow() - signedAt).Duration() > MaxSkew)
        {
            throw PersonalizeException.InvalidSignature($"Signature expired: {amzDate} is more than 15 minutes from the server's time.");
        }

        var headerNames = signedHeaders.Split(';');
        if (!headerNames.Contains("host"))
        {
            throw PersonalizeException.InvalidSignature("The host header must be signed.");
        }

        var canonical = new StringBuilder()
            .Append(request.Method).Append('\n')
            .Append(CanonicalPath(request)).Append('\n')
            .Append(CanonicalQuery(request)).Append('\n');
        foreach (var name in headerNames)
        {
            var value = name == "host" ? request.Host.ToString() : string.Join(",", request.Headers[name].Select(v => Collapse(v ?? string.Empty)));
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(Hex(SHA256.HashData(body)));

        var scope = $"{date}/{region}/{service}/aws4_request";
        var toSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var signingKey = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + key.SecretAccessKey), date), region), service), "aws4_request");
        var expected = Hex(Hmac(signingKey, toSign));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            throw PersonalizeException.InvalidSignature("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
        }

        return key;
    }

    // botocore quotes the path (safe "/~") once more, so a percent sign in the raw path is itself encoded.
    private static string CanonicalPath(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.ToString();
        var path = raw.Split('?', 2)[0];
        return string.Concat(path.Select(c => c == '/' || c == '~' || IsUnreserved(c) ? c.ToString() : Uri.EscapeDataString(c.ToString())));
    }

    private static string CanonicalQuery(HttpRequest request) =>
        string.Join("&", request.Query.SelectMany(q => q.Value.Select(v => (Key: Uri.EscapeDataString(q.Key), Value: Uri.EscapeDataString(v ?? string.Empty))))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private static string Collapse(string value) => string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
