using Personalize.Data.Storage;

namespace Personalize.Runtime.Realtime;

/// <summary>The peers' real-time objects this replica has already applied (those still within the tailer's window).</summary>
public sealed class RealtimeLog
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Drops objects written before a time: a tailer past them never lists them again.</summary>
    public void Forget(DateTimeOffset before)
    {
        lock (_gate)
        {
            _seen.RemoveWhere(key => S3Uri.TryParse(key, out var uri) && RealtimeFiles.WrittenAt(uri) is { } written && written < before);
        }
    }

    public bool Contains(S3Uri uri)
    {
        lock (_gate)
        {
            return _seen.Contains(uri.ToString());
        }
    }

    /// <summary>True the first time an object is claimed; false when it was seen already.</summary>
    public bool Claim(S3Uri uri)
    {
        lock (_gate)
        {
            return _seen.Add(uri.ToString());
        }
    }
}
