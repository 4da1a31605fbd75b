using System.Diagnostics;
using System.Globalization;
using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Runtime.Realtime;
using Personalize.Testing;

// Usage: Personalize.Bench.Realtime [events] [eventsPerObject] [replaySample] (defaults 1,000,000, 100 and 500). Starts s3rver, writes the
// events as group commits spread over the past day (plus a few in the current minute), then times in the same run:
// a poll as it was (listing the whole prefix), a poll as it is now (the last minutes' time prefixes), and the
// start-up replay (list and read every object, as DatasetReader and the tailer's first poll do).
// Personalize.Bench.Realtime compaction [events] [eventsPerObject] [folder|s3]: the log before and after compaction (Compaction.cs).
if (args is ["compaction", .. var rest])
{
    await CompactionBench.RunAsync(rest);
    return;
}

var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var perObject = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
var objects = events / perObject;
var replaySample = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500;
var s3 = new S3Server();
await s3.InitializeAsync();
try
{
    using var store = new MinioObjectStore(s3.CreateClient());
    var bucket = await s3.CreateBucketAsync("bench-realtime");
    var group = new S3Uri(bucket, "ns/group/");
    var now = DateTimeOffset.UtcNow;
    var clock = Stopwatch.StartNew();
    await BenchEvents.WriteAsync(store, group, objects, perObject, now);
    Console.WriteLine($"wrote {events:N0} events in {objects:N0} objects in {clock.Elapsed.TotalSeconds:F0} s");

    var files = new RealtimeFiles(store, group, "bench-reader");
    var before = await TimeAsync(5, () => CountAsync(files.ListAsync("Interactions", CancellationToken.None)));
    var after = await TimeAsync(5, () => CountAsync(files.ListWrittenAsync(
        "Interactions", DateTimeOffset.UtcNow - RealtimeTailer.Window - TimeSpan.FromMilliseconds(250), DateTimeOffset.UtcNow + RealtimeTailer.Window, CancellationToken.None)));
    // The start-up replay (the tailer's first poll) reads every object; this change leaves it as it was, so a sample
    // of objects is read, one after another as the tailer does, and the whole log's cost is extrapolated from it.
    var sample = Math.Min(objects, replaySample);
    var replay = await TimeAsync(1, async () =>
    {
        long rows = 0;
        var read = 0;
        await foreach (var entry in files.ListAsync("Interactions", CancellationToken.None))
        {
            if (read++ == sample)
            {
                break;
            }

            rows += (await files.ReadAsync(entry.Uri, CancellationToken.None)).Count;
        }

        return rows;
    });

    Console.WriteLine();
    Console.WriteLine("| measure | keys or events | median s | CPU s (median) |");
    Console.WriteLine("|---|---|---|---|");
    Console.WriteLine($"| poll before: list the whole prefix | {before.Count:N0} | {before.Seconds:F3} | {before.Cpu:F3} |");
    Console.WriteLine($"| poll after: list the last minutes' prefixes | {after.Count:N0} | {after.Seconds:F3} | {after.Cpu:F3} |");
    Console.WriteLine($"| start-up replay: list, read {sample:N0} of {objects:N0} objects | {replay.Count:N0} | {replay.Seconds:F1} | {replay.Cpu:F1} |");
    Console.WriteLine($"start-up replay of the whole log, extrapolated: {replay.Seconds * objects / sample:F0} s wall, {replay.Cpu * objects / sample:F0} CPU s");
    Console.WriteLine($"poll before/after: {before.Seconds / after.Seconds:F0}x wall, {before.Count / Math.Max(1.0, after.Count):F0}x keys");
}
finally
{
    await s3.DisposeAsync();
}

static async Task<long> CountAsync<T>(IAsyncEnumerable<T> items)
{
    long count = 0;
    await foreach (var _ in items)
    {
        count++;
    }

    return count;
}

static async Task<(long Count, double Seconds, double Cpu)> TimeAsync(int runs, Func<Task<long>> run)
{
    var results = new List<(long Count, double Seconds, double Cpu)>();
    for (var i = 0; i < runs; i++)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var count = await run();
        results.Add((count, clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds));
    }

    results.Sort((a, b) => a.Seconds.CompareTo(b.Seconds));
    return results[runs / 2];
}

/// <summary>A clock stopped at one time: objects named as their writers would have named them then.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
