using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Testing;

/// <summary>
/// The real-time log before and after compaction, in one run: writes the events (default 1,000,000 in 10,000 group
/// commits over the past day, 10 of them this minute) to the folder store (local mode's) or, with "s3", to s3rver, then times the start-up
/// replay (what DatasetReader and a starting replica's tailer read: every record, JSON-parsed) and the listing it
/// makes, before compaction, right after it (folded objects kept for the grace hour), and once the grace has passed
/// (a compaction two hours later collects them). Every stage must read every event exactly once.
/// </summary>
internal static class CompactionBench
{
    public static async Task RunAsync(string[] args)
    {
        var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var perObject = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
        var objects = events / perObject;
        var onS3 = args.Length > 2 && args[2] == "s3";
        var root = Directory.CreateTempSubdirectory("personalize-bench-compaction-");
        var s3 = onS3 ? new S3Server() : null;
        try
        {
            IObjectStore store = new FolderObjectStore(root.FullName);
            var group = new S3Uri("bench-realtime", "ns/group/");
            if (s3 is not null)
            {
                await s3.InitializeAsync();
                store = new MinioObjectStore(s3.CreateClient());
                group = new S3Uri(await s3.CreateBucketAsync("bench-compaction"), "ns/group/");
            }

            Console.WriteLine($"store: {(onS3 ? "s3rver" : "folder")}");
            var clock = Stopwatch.StartNew();
            await BenchEvents.WriteAsync(store, group, objects, perObject, DateTimeOffset.UtcNow);
            Console.WriteLine($"wrote {events:N0} events in {objects:N0} objects in {clock.Elapsed.TotalSeconds:F0} s");

            var before = await StartupAsync(store, group);
            RealtimeWatermark? watermark = null;
            var compaction = await TimeAsync(async () =>
            {
                watermark = await new RealtimeCompactor(store, group, new RealtimeCompactionOptions { MinObjects = 1 }).CompactAsync("Interactions", CancellationToken.None);
                return watermark!.Records;
            });
            var withinGrace = await StartupAsync(store, group);
            await new RealtimeCompactor(store, group, new RealtimeCompactionOptions { MinObjects = 1 }, new ShiftedTime(TimeSpan.FromHours(2))).CompactAsync("Interactions", CancellationToken.None);
            var afterGrace = await StartupAsync(store, group);

            foreach (var stage in new[] { before, withinGrace, afterGrace })
            {
                if (stage.Records != events)
                {
                    throw new InvalidOperationException($"a start-up replay read {stage.Records:N0} records of {events:N0}");
                }
            }

            Console.WriteLine();
            Console.WriteLine("| measure | keys listed | objects read | records | wall s | CPU s |");
            Console.WriteLine("|---|---|---|---|---|---|");
            Row("start-up replay before compaction", before);
            Console.WriteLine($"| compaction ({watermark!.Objects:N0} objects older than 10 min into {watermark.Parts.Count} Parquet part) | | | {compaction.Count:N0} | {compaction.Seconds:F1} | {compaction.Cpu:F1} |");
            Row("start-up replay after compaction, within the grace hour", withinGrace);
            Row("start-up replay after compaction, grace passed", afterGrace);
            Console.WriteLine($"start-up before/after (grace passed): {before.Seconds / afterGrace.Seconds:F1}x wall, {before.Cpu / afterGrace.Cpu:F1}x CPU, " +
                $"{before.Keys / (double)Math.Max(1, afterGrace.Keys):F0}x keys listed, {before.Reads / (double)afterGrace.Reads:F0}x objects read");
        }
        finally
        {
            if (s3 is not null)
            {
                await s3.DisposeAsync();
            }

            root.Delete(recursive: true);
        }
    }

    private static void Row(string measure, Startup s) =>
        Console.WriteLine($"| {measure} | {s.Keys:N0} | {s.Reads:N0} | {s.Records:N0} | {s.Seconds:F1} | {s.Cpu:F1} |");

    /// <summary>A starting reader: lists the real-time prefix and reads every record, compacted and fresh, parsing each.</summary>
    private static async Task<Startup> StartupAsync(IObjectStore store, S3Uri group)
    {
        var counting = new CountingStore(store);
        var replay = await TimeAsync(async () =>
        {
            long records = 0;
            await foreach (var record in new RealtimeObjects(counting, group).ReadAllAsync("Interactions", CancellationToken.None))
            {
                using var parsed = JsonDocument.Parse(record.Line);
                records++;
            }

            return records;
        });
        return new Startup(counting.Listed, counting.Reads, replay.Count, replay.Seconds, replay.Cpu);
    }

    private static async Task<(long Count, double Seconds, double Cpu)> TimeAsync(Func<Task<long>> run)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var count = await run();
        return (count, clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    private sealed record Startup(long Keys, long Reads, long Records, double Seconds, double Cpu);

    /// <summary>The store, counting the keys its listings return and the objects opened.</summary>
    private sealed class CountingStore(IObjectStore inner) : IObjectStore
    {
        public long Listed;
        public long Reads;

        public Task<Stream> OpenReadAsync(S3Uri uri, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Reads);
            return inner.OpenReadAsync(uri, cancellationToken);
        }

        public async IAsyncEnumerable<ObjectInfo> ListAsync(S3Uri prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var info in inner.ListAsync(prefix, cancellationToken))
            {
                Interlocked.Increment(ref Listed);
                yield return info;
            }
        }

        public Task WriteAsync(S3Uri uri, Stream content, CancellationToken cancellationToken) => inner.WriteAsync(uri, content, cancellationToken);

        public Task<ObjectInfo?> StatAsync(S3Uri uri, CancellationToken cancellationToken) => inner.StatAsync(uri, cancellationToken);

        public Task DeleteAsync(S3Uri uri, CancellationToken cancellationToken) => inner.DeleteAsync(uri, cancellationToken);
    }
}
