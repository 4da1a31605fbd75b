using System.Diagnostics;
using System.Globalization;

namespace Personalize.Bench.Runtime;

/// <summary>
/// Where an open-loop run's slow requests spent their time. Each request has four stamps on one clock: due (the
/// pacing schedule), sent (the generator handed it to HttpClient), begun and ended in the server (ASP.NET Core's
/// hosting layer, <see cref="ServerTrace"/>), answered (the generator read the whole response). A tail request slow
/// between begun and ended is the runtime's; slow before or after, with both processes' <see cref="SchedulingProbe"/>
/// waking late at the same moment, is the machine's. Steal is the hypervisor's own count of time it ran something else.
/// </summary>
public sealed class TailAnalysis
{
    private const double StallMillis = 5;
    private readonly List<Request> _requests;
    private readonly List<SchedulingProbe.Tick> _serverTicks;
    private readonly List<(long Start, long End)> _generatorStalls;
    private readonly List<(long Start, long End)> _serverStalls;
    private readonly List<(long Start, long End)> _collections;
    private readonly CpuShare _cpu;
    private readonly double _seconds;

    public TailAnalysis(string generatorTrace, long[] begins, long[] ends, IReadOnlyList<SchedulingProbe.Tick> serverTicks, CpuShare cpu)
    {
        _requests = [];
        _generatorStalls = [];
        foreach (var line in File.ReadLines(generatorTrace))
        {
            var fields = line.Split(',');
            if (fields[0] == "r")
            {
                var id = int.Parse(fields[1], CultureInfo.InvariantCulture);
                _requests.Add(new Request(Ticks(fields[2]), Ticks(fields[3]), id < begins.Length ? begins[id] : 0, id < ends.Length ? ends[id] : 0, Ticks(fields[4])));
            }
            else if (fields[0] == "w" && Millis(Ticks(fields[2])) >= StallMillis)
            {
                _generatorStalls.Add(Window(Ticks(fields[1]), Ticks(fields[2])));
            }
        }

        _serverTicks = [.. serverTicks.OrderBy(t => t.Slept)];
        _serverStalls = [.. _serverTicks.Where(t => Millis(t.Late) >= StallMillis).Select(t => Window(t.Slept, t.Late))];
        _collections = [.. _serverTicks.Where(t => t.Collected).Select(t => Window(t.Slept, t.Late))];
        _cpu = cpu;
        _seconds = _requests.Count == 0 ? 0 : Millis(_requests.Max(r => r.Answered) - _requests.Min(r => r.Due)) / 1000;
    }

    /// <summary>The report's lines, for the bench's output under the run's row.</summary>
    public IEnumerable<string> Lines()
    {
        var traced = _requests.Where(r => r.Begun > 0 && r.Ended > 0).ToList();
        if (traced.Count == 0)
        {
            yield return "tail: no request was traced in the server";
            yield break;
        }

        var latencies = traced.Select(r => Millis(r.Answered - r.Due)).Order().ToArray();
        var p99 = Percentile(latencies, 99);
        var perSecond = traced.GroupBy(r => (long)(Millis(r.Due - traced[0].Due) / 1000))
            .Select(g => Percentile([.. g.Select(r => Millis(r.Answered - r.Due)).Order()], 99)).Order().ToArray();
        yield return Invariant($"latency over {_seconds:F0} s ({traced.Count} requests): p50 {Percentile(latencies, 50):F1}, p99 {p99:F1}, p99.9 {Percentile(latencies, 99.9):F1}, max {latencies[^1]:F1} ms; ")
            + Invariant($"p99 per second: min {perSecond[0]:F1}, median {Percentile(perSecond, 50):F1}, max {perSecond[^1]:F1} ms, {perSecond.Count(p => p >= 20)} of {perSecond.Length} seconds at 20 ms or more");

        var inServer = traced.Select(r => Millis(r.Ended - r.Begun)).Order().ToArray();
        yield return Invariant($"in the server (hosting begin to end): p50 {Percentile(inServer, 50):F2}, p99 {Percentile(inServer, 99):F2}, max {inServer[^1]:F1} ms; ")
            + Invariant($"outside it (client, loopback, Kestrel before hosting): p99 {Percentile([.. traced.Select(r => Millis(r.Answered - r.Due - (r.Ended - r.Begun))).Order()], 99):F1} ms");

        var tail = traced.Where(r => Millis(r.Answered - r.Due) >= p99).ToList();
        string Parts(Func<Request, long> part) =>
            Invariant($"{Percentile([.. tail.Select(r => Millis(part(r))).Order()], 50):F1} / {Percentile([.. tail.Select(r => Millis(part(r))).Order()], 90):F1}");
        var serverBound = tail.Count(r => r.Ended - r.Begun > (r.Answered - r.Due) / 2);
        var stalled = tail.Count(r => Overlaps(_serverStalls, r.Due, r.Answered) || Overlaps(_generatorStalls, r.Due, r.Answered));
        var collected = tail.Count(r => Overlaps(_collections, r.Due, r.Answered));
        var queued = tail.Select(r => MaxPending(r.Sent, r.Answered)).Order().ToArray();
        yield return Invariant($"the {tail.Count} requests at p99 or slower, median / p90 ms: late leaving the pacer {Parts(r => r.Sent - r.Due)}, sent to begun in the server {Parts(r => r.Begun - r.Sent)}, ")
            + Invariant($"in the server {Parts(r => r.Ended - r.Begun)}, ended to answered {Parts(r => r.Answered - r.Ended)}; ")
            + Invariant($"{serverBound} spent over half their time in the server; {stalled} overlap a scheduling stall, {collected} a collection in the server; server thread-pool queue during them: median {Percentile(queued, 50):F0}, max {queued[^1]:F0}; the pool had {_serverTicks.Min(t => t.Threads)}-{_serverTicks.Max(t => t.Threads)} threads");
        var backlog = _serverTicks.Where(t => t.RunnableWorkers >= 0).ToList();
        yield return backlog.Count == 0
            ? "the server's thread pool never had work queued"
            : Invariant($"while the server's pool had work queued ({backlog.Count} ms of the run): worker threads running or runnable, median {Percentile([.. backlog.Select(t => (double)t.RunnableWorkers).Order()], 50):F0} ")
                + Invariant($"of {Percentile([.. backlog.Select(t => (double)t.Threads).Order()], 50):F0}; none runnable in {backlog.Count(t => t.RunnableWorkers == 0)} ms (work queued, no worker on or waiting for a core)");

        var buckets = new int[(int)(_seconds * 100) + 1];
        foreach (var request in traced)
        {
            buckets[Math.Clamp((int)(Millis(request.Answered - traced[0].Due) / 10), 0, buckets.Length - 1)]++;
        }

        var shared = _serverStalls.Count(s => Overlaps(_generatorStalls, s.Start, s.End));
        var duringCollections = _serverStalls.Count(s => Overlaps(_collections, s.Start, s.End));
        yield return Invariant($"stalls: {buckets.Count(b => b == 0)} of {buckets.Length} 10-ms windows with no answer; scheduling probes woke {StallMillis:F0} ms or more late ")
            + Invariant($"{_serverStalls.Count} times in the server (worst {MaxLate(_serverStalls):F0} ms) and {_generatorStalls.Count} in the generator (worst {MaxLate(_generatorStalls):F0} ms), {shared} of the server's at the same time as the generator's and {duringCollections} during a collection; ")
            + Invariant($"steal {_cpu.StealMillis:F0} ms");
        yield return Invariant($"CPU over the run, ms: the machine {_cpu.Cores} cores x {_cpu.WallMillis:F0} = {_cpu.Cores * _cpu.WallMillis:F0}, busy {_cpu.BusyMillis:F0}; the server ran {_cpu.Server.RunMillis:F0} and waited for a core {_cpu.Server.WaitMillis:F0}; ")
            + Invariant($"the generator ran {_cpu.Generator.RunMillis:F0} and waited {_cpu.Generator.WaitMillis:F0}; other processes ran {Math.Max(0, _cpu.BusyMillis - _cpu.Server.RunMillis - _cpu.Generator.RunMillis):F0}");
    }

    private static long Ticks(string field) => long.Parse(field, CultureInfo.InvariantCulture);

    private static double Millis(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static (long Start, long End) Window(long slept, long late) => (slept, slept + (Stopwatch.Frequency / 1000) + late);

    private static double MaxLate(List<(long Start, long End)> stalls) => stalls.Count == 0 ? 0 : stalls.Max(s => Millis(s.End - s.Start)) - 1;

    private static bool Overlaps(List<(long Start, long End)> stalls, long start, long end) => stalls.Any(s => s.Start < end && start < s.End);

    private static double Percentile(double[] sorted, double p) => Latencies.NearestRank(sorted, p);

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private double MaxPending(long start, long end)
    {
        var first = _serverTicks.BinarySearch(new SchedulingProbe.Tick(start, 0, false, 0, 0), Comparer<SchedulingProbe.Tick>.Create((a, b) => a.Slept.CompareTo(b.Slept)));
        var max = 0L;
        for (var i = first < 0 ? ~first : first; i < _serverTicks.Count && _serverTicks[i].Slept <= end; i++)
        {
            max = Math.Max(max, _serverTicks[i].PendingWorkItems);
        }

        return max;
    }

    private readonly record struct Request(long Due, long Sent, long Begun, long Ended, long Answered);
}
