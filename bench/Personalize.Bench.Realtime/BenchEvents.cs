using Personalize.Data.Datasets;
using Personalize.Data.Storage;

/// <summary>The benchmark's event log: PutEvents group commits named as RealtimeRecordWriter names them.</summary>
internal static class BenchEvents
{
    /// <summary>Writes <paramref name="objects"/> objects of <paramref name="perObject"/> events, the last 10 at <paramref name="now"/>, the rest spread evenly over the day before.</summary>
    public static async Task WriteAsync(IObjectStore store, S3Uri group, int objects, int perObject, DateTimeOffset now)
    {
        var written = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, objects), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            // The last 10 objects are this minute's; the rest spread evenly over the past day.
            var at = i >= objects - 10 ? now : now.AddDays(-1) + TimeSpan.FromTicks(TimeSpan.FromDays(1).Ticks / objects * i);
            var writer = new RealtimeRecordWriter(store, group, $"w{i}", new FixedTime(at));
            var rows = Enumerable.Range(0, perObject).Select(e => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["USER_ID"] = $"u{(i * perObject + e) % 50_000}",
                ["SESSION_ID"] = $"s{i}",
                ["ITEM_ID"] = $"i{e % 5_000}",
                ["TIMESTAMP"] = at.ToUnixTimeSeconds(),
                ["EVENT_TYPE"] = "click",
                ["EVENT_ID"] = Guid.NewGuid().ToString(),
            }).ToList();
            await writer.AppendAsync("Interactions", rows, ct);
            if (Interlocked.Increment(ref written) % 2000 == 0)
            {
                Console.WriteLine($"  {written:N0} objects written");
            }
        });
    }
}
