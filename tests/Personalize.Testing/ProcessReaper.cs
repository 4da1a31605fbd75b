namespace Personalize.Testing;

/// <summary>Kills every live <see cref="ChildProcess"/> when the test host exits normally, so a
/// fixture that was never disposed (a crashed test run) leaves no server behind.</summary>
internal static class ProcessReaper
{
    private static readonly HashSet<ChildProcess> Live = [];
    private static readonly Lock Gate = new();

    static ProcessReaper()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public static void Track(ChildProcess child)
    {
        lock (Gate)
        {
            Live.Add(child);
        }
    }

    public static void Untrack(ChildProcess child)
    {
        lock (Gate)
        {
            Live.Remove(child);
        }
    }

    private static void KillAll()
    {
        ChildProcess[] children;
        lock (Gate)
        {
            children = [.. Live];
        }

        foreach (var child in children)
        {
            child.Kill();
        }
    }
}
