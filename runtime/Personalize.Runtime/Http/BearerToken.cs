using System.Security.Cryptography;
using System.Text;
using Personalize.Jobs;

namespace Personalize.Runtime.Http;

/// <summary>
/// The optional bearer tokens: read from RuntimeConfig.auth.tokenFile or the file PERSONALIZE_RUNTIME_TOKEN_FILE names
/// (a mounted Secret; one accepted token per line,
/// so a rotation can accept the new token and the previous one while clients switch) or PERSONALIZE_RUNTIME_TOKEN.
/// The file is read again at most once a second, so a rotated Secret (the kubelet swaps the mounted files) takes
/// effect without a restart. With none configured requests are not authenticated (and SigV4 signatures are ignored).
/// </summary>
public sealed class BearerToken
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);
    private readonly string? _file;
    private readonly TimeProvider _time;
    private byte[][]? _accepted;
    private long _nextRead;

    public BearerToken(RuntimeAuth auth, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        var file = auth.TokenFile is { Length: > 0 } configured ? configured : Environment.GetEnvironmentVariable(RuntimeConfig.TokenFileEnvironmentVariable);
        if (file is { Length: > 0 })
        {
            _file = file;
            _accepted = Read(file) ?? throw new InvalidOperationException($"The token file \"{file}\" is empty.");
            _nextRead = (_time.GetUtcNow() + Refresh).UtcTicks;
            return;
        }

        var token = Environment.GetEnvironmentVariable(RuntimeConfig.TokenEnvironmentVariable)?.Trim();
        _accepted = string.IsNullOrEmpty(token) ? null : [Encoding.UTF8.GetBytes(token)];
    }

    public bool Accepts(string? authorization)
    {
        var accepted = Current();
        if (accepted is null)
        {
            return true;
        }

        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim());
        var match = false;
        foreach (var token in accepted)
        {
            match |= CryptographicOperations.FixedTimeEquals(given, token);
        }

        return match;
    }

    private byte[][]? Current()
    {
        var now = _time.GetUtcNow().UtcTicks;
        var due = Interlocked.Read(ref _nextRead);
        if (_file is not null && now >= due && Interlocked.CompareExchange(ref _nextRead, now + Refresh.Ticks, due) == due)
        {
            try
            {
                if (Read(_file) is { } fresh)
                {
                    Volatile.Write(ref _accepted, fresh);
                }
            }
            catch (IOException)
            {
                // Missing or empty mid-swap: the tokens last read stay accepted until the next read.
            }
        }

        return Volatile.Read(ref _accepted);
    }

    private static byte[][]? Read(string file)
    {
        var tokens = File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0).Select(Encoding.UTF8.GetBytes).ToArray();
        return tokens.Length == 0 ? null : tokens;
    }
}
