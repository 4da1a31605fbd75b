using System.Globalization;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;

namespace Personalize.Data.Datasets;

/// <summary>When compaction folds real-time objects and when it deletes what a newer watermark made redundant.</summary>
public sealed record RealtimeCompactionOptions
{
    /// <summary>
    /// Objects are folded once their name's time is this far past: longer than an acknowledged write may take
    /// (<see cref="RealtimeRecordWriter.MaxWriteDuration"/>) plus the writers' clock skew, so no acknowledged object
    /// can appear behind a watermark after it was written.
    /// </summary>
    public TimeSpan Lag { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Fewer foldable objects than this are left as they are (a compaction then costs more than it saves).</summary>
    public int MinObjects { get; init; } = 1000;

    /// <summary>
    /// How long what a watermark replaced stays readable: objects it folded, and older watermarks and their parts. A
    /// reader that picked its watermark less than this ago finds everything it names.
    /// </summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromHours(1);

    public long RowsPerPart { get; init; } = 1_000_000;

    /// <summary>
    /// How long the <see cref="ServedRecommendations"/> log keeps a served list: a compaction leaves out the parts whose
    /// newest record is older (the datasets' logs keep everything). Training resolves an event's recommendationId only
    /// while its list is kept.
    /// </summary>
    public TimeSpan ServedListRetention { get; init; } = TimeSpan.FromDays(14);
}

/// <summary>
/// Folds a dataset's older real-time objects into Parquet parts behind a <see cref="RealtimeWatermark"/> (docs/contracts.md,
/// contract 2), so readers read a few parts and list only the objects after the watermark. Each row of a part is one
/// record's JSON line, unchanged, with the object it came from.
/// <para>
/// Safe to run anywhere, at any time, concurrently: a compaction adds the objects after the current watermark to its
/// parts and commits a new watermark named by the last object it folded. It writes its parts first and the watermark
/// last, so a crash leaves parts no reader looks at (collected later). Two compactors that start from the same
/// watermark both write complete ones; the greatest wins, and either is correct. Nothing is deleted until a newer
/// watermark is <see cref="RealtimeCompactionOptions.Grace"/> old.
/// </para>
/// </summary>
public sealed class RealtimeCompactor
{
    private const int BatchRows = 20_000;
    private const int NameTimeLength = 18;

    private readonly IObjectStore _store;
    private readonly S3Uri _datasetGroup;
    private readonly RealtimeCompactionOptions _options;
    private readonly TimeProvider _time;
    private readonly RealtimeObjects _objects;

    public RealtimeCompactor(IObjectStore store, S3Uri datasetGroup, RealtimeCompactionOptions options, TimeProvider? time = null)
    {
        if (options.Lag <= RealtimeRecordWriter.MaxWriteDuration)
        {
            throw new ArgumentException($"Lag must exceed the longest acknowledged write ({RealtimeRecordWriter.MaxWriteDuration}).", nameof(options));
        }

        _store = store;
        _datasetGroup = datasetGroup;
        _options = options;
        _time = time ?? TimeProvider.System;
        _objects = new RealtimeObjects(store, datasetGroup);
    }

    /// <summary>
    /// Folds the objects written more than <see cref="RealtimeCompactionOptions.Lag"/> ago and not folded yet, when
    /// there are enough of them, then deletes what watermarks older than the grace made redundant. Returns the new
    /// watermark, or null when nothing was folded.
    /// </summary>
    public async Task<RealtimeWatermark?> CompactAsync(string datasetType, CancellationToken cancellationToken)
    {
        var type = RealtimeLogs.Canonical(datasetType) ?? throw new ArgumentException($"Unknown dataset type \"{datasetType}\".", nameof(datasetType));
        var now = _time.GetUtcNow();
        var current = await _objects.ReadWatermarkAsync(type, cancellationToken);
        // Names start with their time, so every object named before the cutoff sorts before it.
        var cutoff = (now - _options.Lag).ToString(RealtimeRecordWriter.NameTimeFormat, CultureInfo.InvariantCulture);
        var folding = new List<S3Uri>();
        await foreach (var info in _objects.ListFreshAsync(type, current, cancellationToken))
        {
            if (string.CompareOrdinal(info.Uri.Name, cutoff) >= 0)
            {
                break;
            }

            folding.Add(info.Uri);
        }

        // Served lists past their retention leave with the next fold, however few objects it folds.
        var kept = current?.Parts.Where(p => !Expired(type, p, now)).ToList() ?? [];
        var expiring = current is not null && kept.Count < current.Parts.Count;
        RealtimeWatermark? committed = null;
        if (folding.Count > 0 && (folding.Count >= _options.MinObjects || expiring))
        {
            committed = await FoldAsync(type, current, kept, folding, now, cancellationToken);
        }

        await CollectAsync(type, now, cancellationToken);
        return committed;
    }

    /// <summary>Whether a part of the served-lists log holds only lists past retention: its folder's version is the name of the newest object folded into it.</summary>
    private bool Expired(string type, BulkFile part, DateTimeOffset now)
    {
        if (type != ServedRecommendations.Log)
        {
            return false;
        }

        var root = RealtimeWatermark.PartsRoot(_datasetGroup, type).Key;
        var version = part.Key.StartsWith(root, StringComparison.Ordinal) ? part.Key[root.Length..].Split('/')[0] : string.Empty;
        return version.Length >= NameTimeLength
            && DateTimeOffset.TryParseExact(version[..NameTimeLength], RealtimeRecordWriter.NameTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var newest)
            && newest < now - _options.ServedListRetention;
    }

    private async Task<RealtimeWatermark> FoldAsync(
        string type, RealtimeWatermark? current, List<BulkFile> kept, List<S3Uri> folding, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var version = Path.GetFileNameWithoutExtension(folding[^1].Name);
        await using var parts = new ParquetPartWriter(_store, RealtimeWatermark.PartsPrefix(_datasetGroup, type, version), _options.RowsPerPart);
        var batch = new RowBatch([ColumnBuffer.Create(RealtimeObjects.ObjectColumn, FieldType.String), ColumnBuffer.Create(RealtimeObjects.RecordColumn, FieldType.String)], BatchRows);
        foreach (var uri in folding)
        {
            await foreach (var line in _objects.ReadLinesAsync(uri, cancellationToken))
            {
                batch.Columns[0].TrySet(batch.Count, uri.Key);
                batch.Columns[1].TrySet(batch.Count, line);
                batch.Count++;
                if (batch.IsFull)
                {
                    await parts.WriteAsync(batch, cancellationToken);
                    batch.Count = 0;
                }
            }
        }

        await parts.WriteAsync(batch, cancellationToken);
        var written = await parts.CompleteAsync(cancellationToken);
        var watermark = new RealtimeWatermark
        {
            Version = version,
            Through = folding[^1].Key,
            CommittedAt = now,
            Objects = (current?.Objects ?? 0) + folding.Count,
            Records = kept.Sum(p => p.Rows) + written.Sum(p => p.Rows),
            Parts = [.. kept, .. written],
        };
        // The commit: from here on readers take the parts instead of the objects.
        await watermark.WriteAsync(_store, _datasetGroup, type, cancellationToken);
        return watermark;
    }

    /// <summary>
    /// Deletes what the newest watermark committed at least the grace ago made redundant: the objects it folded, the
    /// watermarks before it, and parts that no later watermark names (an older compaction's, or a crashed one's).
    /// </summary>
    private async Task CollectAsync(string type, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var watermarks = new List<(S3Uri Uri, RealtimeWatermark Watermark)>();
        await foreach (var uri in RealtimeWatermark.ListAsync(_store, _datasetGroup, type, cancellationToken))
        {
            watermarks.Add((uri, await RealtimeWatermark.ReadAsync(_store, uri, cancellationToken)));
        }

        var settled = watermarks.FindLastIndex(w => w.Watermark.CommittedAt <= now - _options.Grace);
        if (settled < 0)
        {
            return;
        }

        var basis = watermarks[settled].Watermark;
        await foreach (var info in _store.ListAsync(StoreLayout.RealtimeData(_datasetGroup, type), cancellationToken))
        {
            if (!basis.Covers(info.Uri))
            {
                break;
            }

            await _store.DeleteAsync(info.Uri, cancellationToken);
        }

        foreach (var (uri, _) in watermarks.Take(settled))
        {
            await _store.DeleteAsync(uri, cancellationToken);
        }

        var named = watermarks.Skip(settled).SelectMany(w => w.Watermark.Parts).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var partsPrefix = RealtimeWatermark.PartsRoot(_datasetGroup, type);
        await foreach (var info in _store.ListAsync(partsPrefix, cancellationToken))
        {
            // A part's folder is its compaction's version: later ones may belong to a compaction still running.
            var version = info.Uri.Key[partsPrefix.Key.Length..].Split('/')[0];
            if (!named.Contains(info.Uri.Key) && string.CompareOrdinal(version, basis.Version) <= 0)
            {
                await _store.DeleteAsync(info.Uri, cancellationToken);
            }
        }
    }
}
