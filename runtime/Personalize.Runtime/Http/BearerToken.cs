using System.Security.Cryptography;
using System.Text;
using Personalize.Jobs;

namespace Personalize.Runtime.Http;

/// <summary>
/// The optional shared bearer token: read from RuntimeConfig.auth.tokenFile (a mounted Secret) or
/// PERSONALIZE_RUNTIME_TOKEN. With none configured requests are not authenticated (and SigV4 signatures are ignored).
/// </summary>
public sealed class BearerToken
{
    private readonly byte[]? _expected;

    public BearerToken(RuntimeAuth auth)
    {
        var token = auth.TokenFile is { Length: > 0 } file
            ? File.ReadAllText(file).Trim()
            : Environment.GetEnvironmentVariable(RuntimeConfig.TokenEnvironmentVariable)?.Trim();
        if (auth.TokenFile is { Length: > 0 } && string.IsNullOrEmpty(token))
        {
            throw new InvalidOperationException($"auth.tokenFile \"{auth.TokenFile}\" is empty.");
        }

        _expected = string.IsNullOrEmpty(token) ? null : Encoding.UTF8.GetBytes(token);
    }

    public bool Accepts(string? authorization)
    {
        if (_expected is null)
        {
            return true;
        }

        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()), _expected);
    }
}
