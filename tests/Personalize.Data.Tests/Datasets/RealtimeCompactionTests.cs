using System.Collections.Concurrent;
using System.Diagnostics;
using Personalize.Data.Datasets;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Data.Tests.Import;
using Personalize.Testing;
using Xunit;

namespace Personalize.Data.Tests.Datasets;

/// <summary>
/// Compaction of the real-time log on s3rver: training reads compacted and fresh records exactly once and exactly as
/// it read them before, whatever compactions crash, run concurrently, or race PutEvents writers.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class RealtimeCompactionTests(S3Server s3)
{
    private static readonly RealtimeCompactionOptions Fold = new() { MinObjects = 1 };

    [Fact]
    public async Task CompactedAndLaterEvents_AreReadByTrainingExactlyOnce_AndAsTheyWereBefore()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        await WriteHistoryAsync(f, objects: 30);
        var before = await TrainingViewAsync(f);

        var watermark = await new RealtimeCompactor(f.Store, f.Group, Fold).CompactAsync(DatasetTypes.Interactions, CancellationToken.None);
        var compacted = await TrainingViewAsync(f);
        var fresh = new RealtimeRecordWriter(f.Store, f.Group, "now");
        await fresh.AppendAsync(DatasetTypes.Interactions, [Event("fresh1", user: "u1", item: "i9", time: 500), Event("fresh2", session: "s3", user: "login3", item: null, time: 510)]);
        var after = await TrainingViewAsync(f);

        Assert.NotNull(watermark);
        Assert.Equal(30, watermark.Objects);
        Assert.Equal(before.Events, compacted.Events);
        Assert.Equal(before.WithoutItem, compacted.WithoutItem);
        Assert.Equal(before.Events.Count + 1, after.Events.Count);
        Assert.Contains("u1 i9 500 click EVENT_ID=fresh1", after.Events);
        Assert.Equal(before.WithoutItem + 1, after.WithoutItem);
        // The anonymous session s3 logs in (as login3) only in a fresh record: its compacted events become login3's.
        Assert.Equal(before.Events.Count(e => e.StartsWith("s3 ", StringComparison.Ordinal)), after.Events.Count(e => e.StartsWith("login3 ", StringComparison.Ordinal)));
        Assert.DoesNotContain(after.Events, e => e.StartsWith("s3 ", StringComparison.Ordinal));

        // Two hours later the folded objects go (the one fresh object is too few to fold); training reads the same.
        var later = new RealtimeCompactor(f.Store, f.Group, new RealtimeCompactionOptions { MinObjects = 2 }, new ShiftedTime(TimeSpan.FromHours(2)));
        Assert.Null(await later.CompactAsync(DatasetTypes.Interactions, CancellationToken.None));
        Assert.Equal(after.Events, (await TrainingViewAsync(f)).Events);
        Assert.Single(await KeysAsync(f, StoreLayout.RealtimeData(f.Group, DatasetTypes.Interactions)));
    }

    [Fact]
    public async Task ACompactionThatCrashesBeforeItsWatermark_IsInvisible_AndItsPartsAreCollectedLater()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        await WriteHistoryAsync(f, objects: 10);
        var before = await TrainingViewAsync(f);

        var crashing = new RealtimeCompactor(new WatermarkWriteFails(f.Store), f.Group, Fold);
        await Assert.ThrowsAsync<IOException>(() => crashing.CompactAsync(DatasetTypes.Interactions, CancellationToken.None));

        var compacted = StoreLayout.RealtimeCompacted(f.Group, DatasetTypes.Interactions);
        var orphans = await KeysAsync(f, compacted);
        Assert.NotEmpty(orphans);
        Assert.All(orphans, key => Assert.Contains("/parts/", key, StringComparison.Ordinal));
        Assert.Equal(before.Events, (await TrainingViewAsync(f)).Events);

        // More history arrives, so the next compaction folds further and its parts live elsewhere.
        await WriteHistoryAsync(f, objects: 5, firstEvent: 10_000);
        var all = await TrainingViewAsync(f);
        Assert.NotNull(await new RealtimeCompactor(f.Store, f.Group, Fold).CompactAsync(DatasetTypes.Interactions, CancellationToken.None));
        Assert.Equal(all.Events, (await TrainingViewAsync(f)).Events);

        await new RealtimeCompactor(f.Store, f.Group, Fold, new ShiftedTime(TimeSpan.FromHours(2))).CompactAsync(DatasetTypes.Interactions, CancellationToken.None);
        var left = await KeysAsync(f, compacted);
        Assert.DoesNotContain(left, orphans.Contains);
        Assert.Equal(all.Events, (await TrainingViewAsync(f)).Events);
    }

    [Fact]
    public async Task WritersAndCompactorsRacing_LoseNoAcknowledgedEvent_AndReadNoneTwice()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        // Time runs 120 times faster for every party, so that the ten-minute lag, the two-minute write limit and the
        // ten-minute grace (5 s, 1 s and 5 s here) pass within the test: writes slower than 1 s are not acknowledged.
        var clock = new FastTime(120);
        var options = new RealtimeCompactionOptions { MinObjects = 1, Grace = TimeSpan.FromMinutes(10) };
        var acknowledged = new ConcurrentDictionary<string, long>();
        var written = new ConcurrentDictionary<string, byte>();
        var readsChecked = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(25));

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var writer = new RealtimeRecordWriter(f.Store, f.Group, $"writer{w}", clock);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var ids = new[] { $"w{w}-{n}-a", $"w{w}-{n}-b" };
                foreach (var id in ids)
                {
                    written[id] = 0;
                }

                try
                {
                    await writer.AppendAsync(DatasetTypes.Interactions, ids.Select(id => Event(id, user: $"u{w}", item: $"i{n % 7}", time: n)).ToList());
                    foreach (var id in ids)
                    {
                        acknowledged[id] = Stopwatch.GetTimestamp();
                    }
                }
                catch (IOException)
                {
                    // Too slow to acknowledge under this clock: the event may or may not be stored, but not twice.
                }

                await Task.Delay(100);
            }
        })).ToList();
        var compactors = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            var compactor = new RealtimeCompactor(f.Store, f.Group, options, clock);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await compactor.CompactAsync(DatasetTypes.Interactions, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // The race is over; an interrupted compaction is one that crashed.
                }
            }
        })).ToList();
        var readers = Task.Run(async () =>
        {
            // Reads that overlap compactions: from the first watermark on.
            var objects = new RealtimeObjects(f.Store, f.Group);
            while (await objects.ReadWatermarkAsync(DatasetTypes.Interactions, CancellationToken.None) is null && !stop.IsCancellationRequested)
            {
                await Task.Delay(100);
            }

            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                var ids = await EventIdsAsync(f);
                AssertExactlyOnce(ids, acknowledged.Where(a => a.Value < started).Select(a => a.Key), written);
                readsChecked++;
            }
        });
        await Task.WhenAll([.. writers, .. compactors, readers]);

        var final = await EventIdsAsync(f);
        var watermark = await new RealtimeObjects(f.Store, f.Group).ReadWatermarkAsync(DatasetTypes.Interactions, CancellationToken.None);
        Assert.True(acknowledged.Count > 20, $"only {acknowledged.Count} events acknowledged");
        Assert.True(watermark is { Records: > 10 }, $"compaction folded {watermark?.Records ?? 0} records");
        Assert.True(readsChecked > 0, "no read overlapped a compaction");
        AssertExactlyOnce(final, acknowledged.Keys, written);
    }

    private static void AssertExactlyOnce(List<string> read, IEnumerable<string> acknowledged, ConcurrentDictionary<string, byte> written)
    {
        var counts = read.GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        Assert.Empty(counts.Where(c => c.Value > 1).Select(c => c.Key));
        Assert.DoesNotContain(counts.Keys, id => !written.ContainsKey(id));
        Assert.DoesNotContain(acknowledged, id => !counts.ContainsKey(id));
    }

    /// <summary>Old PutEvents objects (a day ago): logged-in, anonymous (session s3) and item-less events, with properties of each JSON type.</summary>
    private static async Task WriteHistoryAsync(ImportFixture f, int objects, int firstEvent = 0)
    {
        var writer = new RealtimeRecordWriter(f.Store, f.Group, "old", new ShiftedTime(TimeSpan.FromDays(-1)));
        for (var o = 0; o < objects; o++)
        {
            var n = firstEvent + (o * 3);
            var properties = new Dictionary<string, object?> { ["PRICE"] = 1.5 * o, ["IN_STOCK"] = o % 2 == 0, ["DEVICE"] = "tv" };
            await writer.AppendAsync(DatasetTypes.Interactions,
            [
                Event($"e{n}", user: $"u{o % 4}", item: $"i{o % 5}", time: 100 + n, properties),
                Event($"e{n + 1}", session: "s3", user: null, item: "i3", time: 101 + n),
                Event($"e{n + 2}", user: $"u{o % 4}", item: null, time: 102 + n),
            ]);
        }
    }

    private static Dictionary<string, object?> Event(string id, string? user, string? item, long time, Dictionary<string, object?>? properties = null, string session = "s1")
    {
        var fields = new Dictionary<string, object?>(properties ?? [])
        {
            [FieldNames.SessionId] = session,
            [FieldNames.Timestamp] = time,
            [FieldNames.EventType] = "click",
            ["EVENT_ID"] = id,
        };
        if (user is not null)
        {
            fields[FieldNames.UserId] = user;
        }

        if (item is not null)
        {
            fields[FieldNames.ItemId] = item;
        }

        return fields;
    }

    /// <summary>Every interaction as training reads it, context included, and the count of item-less events it skipped.</summary>
    private static async Task<(List<string> Events, long WithoutItem)> TrainingViewAsync(ImportFixture f)
    {
        var reader = f.Reader;
        var events = (await f.ToListAsync(reader.ReadInteractionsAsync()))
            .Select(e => $"{e.UserId} {e.ItemId} {e.Timestamp} {e.EventType} {string.Join(' ', e.Context.Where(c => c.Key != FieldNames.SessionId).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"))}")
            .ToList();
        return (events, reader.EventsWithoutItem);
    }

    private static async Task<List<string>> EventIdsAsync(ImportFixture f) =>
        (await f.ToListAsync(f.Reader.ReadInteractionsAsync())).Select(e => e.Context["EVENT_ID"]!).ToList();

    private static async Task<List<string>> KeysAsync(ImportFixture f, S3Uri prefix)
    {
        var keys = new List<string>();
        await foreach (var info in f.Store.ListAsync(prefix, CancellationToken.None))
        {
            keys.Add(info.Uri.Key);
        }

        return keys;
    }

    /// <summary>A clock running <paramref name="speed"/> times faster than real time from now on.</summary>
    private sealed class FastTime(double speed) : TimeProvider
    {
        private readonly DateTimeOffset _origin = DateTimeOffset.UtcNow;
        private readonly long _started = Stopwatch.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => _origin + (Stopwatch.GetElapsedTime(_started) * speed);
    }

    /// <summary>The real store, but the compaction's commit (its watermark write) fails, as a crash just before it would.</summary>
    private sealed class WatermarkWriteFails(IObjectStore inner) : IObjectStore
    {
        public Task<Stream> OpenReadAsync(S3Uri uri, CancellationToken cancellationToken) => inner.OpenReadAsync(uri, cancellationToken);

        public Task WriteAsync(S3Uri uri, Stream content, CancellationToken cancellationToken) =>
            uri.Name.StartsWith("watermark-", StringComparison.Ordinal)
                ? throw new IOException($"injected crash before writing {uri}")
                : inner.WriteAsync(uri, content, cancellationToken);

        public IAsyncEnumerable<ObjectInfo> ListAsync(S3Uri prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task<ObjectInfo?> StatAsync(S3Uri uri, CancellationToken cancellationToken) => inner.StatAsync(uri, cancellationToken);

        public Task DeleteAsync(S3Uri uri, CancellationToken cancellationToken) => inner.DeleteAsync(uri, cancellationToken);
    }
}
