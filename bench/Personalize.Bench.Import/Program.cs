using System.Diagnostics;
using System.Globalization;
using Personalize.Data.Generation;
using Personalize.Data.Import;
using Personalize.Data.Storage;
using Personalize.Testing;

// Usage: Personalize.Bench.Import [rows] (default 10,000,000). Starts s3rver, uploads a generated interactions CSV,
// then times (1) reading its bytes from S3 and (2) importing it, sampling the process's memory during each.
var rows = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
var s3 = new S3Server();
await s3.InitializeAsync();
try
{
    using var store = new MinioObjectStore(s3.CreateClient());
    var bucket = await s3.CreateBucketAsync("bench-import");
    var csv = new S3Uri(bucket, "input/interactions.csv");
    var local = Path.Combine(Path.GetTempPath(), $"personalize-bench-{Guid.NewGuid():N}.csv");
    var clock = Stopwatch.StartNew();
    var generator = new SyntheticDataGenerator(new GeneratorOptions
    {
        Users = (int)Math.Max(1000, rows / 100),
        Items = (int)Math.Max(500, rows / 500),
        Interactions = rows,
    });
    await using (var writer = new StreamWriter(local, false, new System.Text.UTF8Encoding(false), 1 << 16))
    {
        await generator.WriteInteractionsAsync(writer);
    }

    var bytes = new FileInfo(local).Length;
    Console.WriteLine($"generated {rows:N0} rows, {bytes / 1e6:F0} MB in {clock.Elapsed.TotalSeconds:F1} s");
    clock.Restart();
    await using (var file = File.OpenRead(local))
    {
        await store.WriteAsync(csv, file, CancellationToken.None);
    }

    File.Delete(local);
    Console.WriteLine($"uploaded to s3rver in {clock.Elapsed.TotalSeconds:F1} s");

    var (readSeconds, readPeak, readCpu, readStart, readHeap) = await MeasureAsync(async () =>
    {
        await using var stream = await store.OpenReadAsync(csv, CancellationToken.None);
        await stream.CopyToAsync(Stream.Null);
    });
    var request = new DatasetImportRequest("bench", SyntheticDataGenerator.InteractionsSchema, csv, new S3Uri(bucket, "ns/group/"));
    ImportReport? report = null;
    var (importSeconds, importPeak, importCpu, importStart, importHeap) = await MeasureAsync(async () => report = await new DatasetImporter(store).ImportAsync(request));

    // CPU seconds are this process's own (s3rver runs in another), a figure less bent by a busy machine than wall time.
    Console.WriteLine("| rows | MB | S3 read s (MB/s, CPU s) | import s (CPU s) | rows/s | MB/s | import/read | RSS read: start/peak (GC heap) | RSS import: start/peak (GC heap) |");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {report!.RowsImported:N0} | {bytes / 1e6:F0} | {readSeconds:F1} ({bytes / 1e6 / readSeconds:F0}, {readCpu:F1}) | {importSeconds:F1} ({importCpu:F1}) | " +
        $"{rows / importSeconds:N0} | {bytes / 1e6 / importSeconds:F1} | {importSeconds / readSeconds:F1}x | {readStart / 1e6:F0}/{readPeak / 1e6:F0} MB ({readHeap / 1e6:F0}) | {importStart / 1e6:F0}/{importPeak / 1e6:F0} MB ({importHeap / 1e6:F0}) |"));
}
finally
{
    await s3.DisposeAsync();
}

// Runs the work while sampling the process's resident memory; returns seconds taken and the peak seen.
static async Task<(double Seconds, long PeakBytes, double CpuSeconds, long StartBytes, long PeakHeap)> MeasureAsync(Func<Task> work)
{
    GC.Collect();
    using var process = Process.GetCurrentProcess();
    var start = process.WorkingSet64;
    long peak = 0;
    long heap = 0;
    using var stop = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            process.Refresh();
            peak = Math.Max(peak, process.WorkingSet64);
            heap = Math.Max(heap, GC.GetGCMemoryInfo().HeapSizeBytes);
            await Task.Delay(50);
        }
    });
    var cpu = process.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    await work();
    var seconds = clock.Elapsed.TotalSeconds;
    await stop.CancelAsync();
    await sampler;
    process.Refresh();
    return (seconds, peak, (process.TotalProcessorTime - cpu).TotalSeconds, start, heap);
}
