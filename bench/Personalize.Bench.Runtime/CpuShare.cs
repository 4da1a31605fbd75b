using System.Diagnostics;
using System.Globalization;

namespace Personalize.Bench.Runtime;

/// <summary>
/// Who had the machine's cores during a run, from Linux's own accounts: the machine's busy and stolen time
/// (/proc/stat), and for the server and the generator the time their threads ran and the time they were runnable
/// but waited for a core (/proc/PID/task/*/schedstat). What is busy beyond the two is other processes' (ms).
/// </summary>
public sealed record CpuShare(int Cores, double WallMillis, double BusyMillis, double StealMillis, ThreadTimes Server, ThreadTimes Generator)
{
    /// <summary>Starts the accounts; <c>Stop</c> of what this returns gives the share over the time between.</summary>
    public static Func<CpuShare> Start(int serverPid)
    {
        var (wall, machine) = (Stopwatch.GetTimestamp(), Machine());
        var (server, generator) = (ThreadTimes.Read(serverPid), ThreadTimes.Read(Environment.ProcessId));
        return () =>
        {
            var after = Machine();
            return new CpuShare(
                Environment.ProcessorCount, Stopwatch.GetElapsedTime(wall).TotalMilliseconds, after.Busy - machine.Busy, after.Steal - machine.Steal,
                ThreadTimes.Between(server, ThreadTimes.Read(serverPid)), ThreadTimes.Between(generator, ThreadTimes.Read(Environment.ProcessId)));
        };
    }

    // "cpu user nice system idle iowait irq softirq steal ...", in USER_HZ (100 per second).
    private static (double Busy, double Steal) Machine()
    {
        if (!File.Exists("/proc/stat"))
        {
            return (0, 0);
        }

        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        return ((ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]) * 10.0, ticks[7] * 10.0);
    }
}

/// <summary>
/// A process's threads' time on a core and time runnable but waiting for one (ms). Linux keeps these per thread and
/// drops a thread's when it exits, so a difference counts the threads alive at its end: a lower bound when the
/// thread pool retires threads meanwhile.
/// </summary>
public readonly record struct ThreadTimes(double RunMillis, double WaitMillis)
{
    /// <summary>Each live thread's (run, wait) in ns, by thread id.</summary>
    public static Dictionary<int, (long Run, long Wait)> Read(int pid)
    {
        var threads = new Dictionary<int, (long, long)>();
        var tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks))
        {
            return threads;
        }

        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] =
                    (long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return threads;
    }

    /// <summary>What the threads alive at the end ran and waited since the earlier reading.</summary>
    public static ThreadTimes Between(Dictionary<int, (long Run, long Wait)> before, Dictionary<int, (long Run, long Wait)> after)
    {
        var (run, wait) = (0L, 0L);
        foreach (var (id, times) in after)
        {
            var earlier = before.GetValueOrDefault(id);
            run += times.Run - earlier.Run;
            wait += times.Wait - earlier.Wait;
        }

        return new ThreadTimes(run / 1e6, wait / 1e6);
    }
}
