using System.Diagnostics;

namespace Personalize.Bench.Runtime;

/// <summary>
/// A thread of its own that asks to sleep 1 ms, over and over, and notes each wake-up (jHiccup's idea): a wake-up
/// late by milliseconds means the OS ran nothing of this process for that long, whatever the process was doing.
/// Run in both the server and the load generator, the same late wake-up in both is the machine's (a VM stall, steal),
/// not either program's. A managed thread also waits out the process's own garbage collections, so each tick notes
/// whether one ran meanwhile, and samples the thread pool's queue, so queueing in the server shows too. While work is
/// queued it also reads the pool's worker threads' states from /proc: runnable ones wait for a core, sleeping ones for
/// something else (a lock, a wake-up).
/// </summary>
public sealed class SchedulingProbe : IDisposable
{
    private readonly Thread _thread;
    private readonly List<Tick> _ticks = new(capacity: 64_000);
    private readonly byte[] _stat = new byte[1024];
    private List<string> _workers = [];
    private volatile bool _stopped;

    public SchedulingProbe()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "scheduling probe", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>
    /// A wake-up: when the probe asked to sleep, how late it woke (Stopwatch ticks), whether a collection ran meanwhile,
    /// the pool's queue and threads then, and with work queued its worker threads running or runnable (-1: not read).
    /// </summary>
    public readonly record struct Tick(long Slept, long Late, bool Collected, long PendingWorkItems, int Threads, int RunnableWorkers = -1);

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

    // Below this many queued items the pool is keeping up; reading every thread's state each millisecond would cost more than it tells.
    private const int QueuedEnough = 4;

    /// <summary>The pool's worker threads (".NET TP Worker") in state R: on a core or waiting for one. Allocates nothing but when the pool's threads change.</summary>
    private int RunnableWorkers()
    {
        if (_workers.Count != ThreadPool.ThreadCount)
        {
            _workers = [.. Directory.EnumerateDirectories("/proc/self/task").Select(task => Path.Combine(task, "stat")).Where(stat => Read(stat).IndexOf(".NET TP Worker"u8) >= 0)];
        }

        var runnable = 0;
        foreach (var stat in _workers)
        {
            // "pid (comm) S ...": the state follows the parenthesised name.
            var text = Read(stat);
            var close = text.LastIndexOf((byte)')');
            if (close > 0 && close + 2 < text.Length && text[close + 2] == (byte)'R')
            {
                runnable++;
            }
        }

        return runnable;
    }

    private ReadOnlySpan<byte> Read(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path);
            return _stat.AsSpan(0, RandomAccess.Read(handle, _stat, 0));
        }
        catch (IOException)
        {
            // The thread ended meanwhile.
            return default;
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
            var pending = ThreadPool.PendingWorkItemCount;
            _ticks.Add(new Tick(slept, late, GC.CollectionCount(0) != collections, pending, ThreadPool.ThreadCount, pending >= QueuedEnough ? RunnableWorkers() : -1));
        }
    }
}
