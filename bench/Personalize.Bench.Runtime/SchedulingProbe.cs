using System.Diagnostics;

namespace Personalize.Bench.Runtime;

/// <summary>
/// A thread of its own that asks to sleep 1 ms, over and over, and notes each wake-up (jHiccup's idea): a wake-up
/// late by milliseconds means the OS ran nothing of this process for that long, whatever the process was doing.
/// Run in both the server and the load generator, the same late wake-up in both is the machine's (a VM stall, steal),
/// not either program's. A managed thread also waits out the process's own garbage collections, so each tick notes
/// whether one ran meanwhile, and samples the thread pool's queue, so queueing in the server shows too.
/// </summary>
public sealed class SchedulingProbe : IDisposable
{
    private readonly Thread _thread;
    private readonly List<Tick> _ticks = new(capacity: 64_000);
    private volatile bool _stopped;

    public SchedulingProbe()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "scheduling probe", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>A wake-up: when the probe asked to sleep, how late it woke (Stopwatch ticks), whether a collection ran meanwhile, and the pool's queue then.</summary>
    public readonly record struct Tick(long Slept, long Late, bool Collected, long PendingWorkItems);

    /// <summary>The ticks so far (stops the probe).</summary>
    public IReadOnlyList<Tick> Stop()
    {
        _stopped = true;
        _thread.Join();
        return _ticks;
    }

    public void Dispose()
    {
        if (!_stopped)
        {
            Stop();
        }
    }

    private void Run()
    {
        var asked = Stopwatch.Frequency / 1000;
        while (!_stopped)
        {
            var collections = GC.CollectionCount(0);
            var slept = Stopwatch.GetTimestamp();
            Thread.Sleep(1);
            var late = Math.Max(0, Stopwatch.GetTimestamp() - slept - asked);
            _ticks.Add(new Tick(slept, late, GC.CollectionCount(0) != collections, ThreadPool.PendingWorkItemCount));
        }
    }
}
