using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Personalize.Data.Datasets;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;

namespace Personalize.Data.Import;

/// <summary>
/// Imports CSV files from the object store into a dataset's bulk data (Parquet), streaming: memory holds one row
/// group whatever the input size. New files go to a fresh version prefix (bulk/{version}/) and become visible only
/// when the manifest is replaced at the end, so a failed or cancelled import leaves the earlier data as it was and
/// a reader never sees half an import. Imports of one dataset must run one at a time (the operator serialises them).
/// </summary>
public sealed class DatasetImporter(IObjectStore store, TimeProvider? time = null)
{
    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Runs the import and writes its report; throws <see cref="ImportFailedException"/> with the reason when it fails.</summary>
    public async Task<ImportReport> ImportAsync(DatasetImportRequest request, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var datasetType = request.Schema.DatasetType;
        var report = new ImportReport
        {
            JobName = request.JobName,
            DatasetType = datasetType,
            ImportMode = request.Mode == ImportMode.Full ? "FULL" : "INCREMENTAL",
            DataLocation = request.DataLocation.ToString(),
            StartedAt = _time.GetUtcNow(),
        };
        var version = $"{report.StartedAt.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture)}-{Sanitize(request.JobName)}";
        var bulk = StoreLayout.BulkData(request.DatasetGroup, datasetType);
        var staging = bulk.Append(version + "/");
        var committed = false;
        try
        {
            await using var writer = new ParquetPartWriter(store, staging, request.RowsPerPart);
            var run = new ImportRun(request, report, writer, progress);
            var inputs = await ResolveInputsAsync(request.DataLocation, report, cancellationToken);
            run.TotalBytes = inputs.Sum(i => i.Size);
            foreach (var input in inputs)
            {
                await run.ReadFileAsync(store, input, cancellationToken);
            }

            await run.FlushAsync(cancellationToken);
            CheckRejections(request, report);
            var previous = await BulkManifest.ReadAsync(store, request.DatasetGroup, datasetType, cancellationToken);
            var kept = request.Mode == ImportMode.Incremental && previous is not null
                ? await run.MergePreviousAsync(store, request.DatasetGroup.Bucket, previous, cancellationToken)
                : [];
            var files = (await writer.CompleteAsync(cancellationToken)).Concat(kept).ToList();
            var manifest = new BulkManifest
            {
                Version = version,
                DatasetType = datasetType,
                ImportJob = request.JobName,
                ImportMode = report.ImportMode,
                CommittedAt = _time.GetUtcNow(),
                RowCount = files.Sum(f => f.Rows),
                PreviousVersion = previous?.Version,
                Files = files,
            };
            progress?.Report(new ImportProgress("commit", report.RowsRead, report.BytesRead, run.TotalBytes));
            await StoredSchema.WriteAsync(store, request.DatasetGroup, request.Schema, cancellationToken);
            await manifest.WriteAsync(store, request.DatasetGroup, cancellationToken);
            committed = true;

            // Committed: the staged parts are the dataset now. Neither a cancellation nor a failed clean-up or report
            // may undo that (the next import removes what this clean-up left).
            report.Status = "SUCCEEDED";
            report.Version = version;
            report.DatasetRowCount = manifest.RowCount;
            report.FinishedAt = _time.GetUtcNow();
            await AfterCommitAsync(() => RemoveUnreferencedAsync(bulk, version, manifest, previous, CancellationToken.None));
            await AfterCommitAsync(() => WriteReportAsync(request, report, CancellationToken.None));
            return report;
        }
        catch (Exception e) when (!committed && e is not OperationCanceledException)
        {
            var reason = e switch
            {
                ImportFailedException failed => failed.Message,
                CsvFormatException or DecoderFallbackException => e.Message,
                _ => $"The import stopped unexpectedly: {e.Message}",
            };
            report.Status = "FAILED";
            report.FailureReason = reason;
            report.FinishedAt = _time.GetUtcNow();
            await DeletePrefixAsync(staging, CancellationToken.None);
            await WriteReportAsync(request, report, CancellationToken.None);
            throw e as ImportFailedException ?? new ImportFailedException(reason, report);
        }
        catch (OperationCanceledException) when (!committed)
        {
            await DeletePrefixAsync(staging, CancellationToken.None);
            throw;
        }
    }

    private static async Task AfterCommitAsync(Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"import: committed; a step after the commit failed and is left to the next import ({e.GetType().Name}: {e.Message})");
        }
    }

    /// <summary>The CSV objects to read: the object itself, or every .csv under a prefix (key order).</summary>
    private async Task<List<ObjectInfo>> ResolveInputsAsync(S3Uri location, ImportReport report, CancellationToken cancellationToken)
    {
        if (!location.IsPrefix && await store.StatAsync(location, cancellationToken) is { } single)
        {
            return [single];
        }

        // s3://bucket/folder without the trailing '/' names the folder when no object has that exact key.
        var prefix = location.AsPrefix();
        var found = new List<ObjectInfo>();
        await foreach (var info in store.ListAsync(prefix, cancellationToken))
        {
            if (info.Uri.Key.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            {
                found.Add(info);
            }
        }

        return found.Count > 0
            ? found
            : throw new ImportFailedException(
                location.IsPrefix
                    ? $"dataLocation {location} holds no .csv files (or the bucket does not exist)."
                    : $"dataLocation {location} does not exist (no such object, and no .csv files under {prefix}).",
                report);
    }

    private static void CheckRejections(DatasetImportRequest request, ImportReport report)
    {
        report.RowsImported = report.RowsRead - report.RowsRejected;
        if (report.RowsRead == 0)
        {
            throw new ImportFailedException($"dataLocation {request.DataLocation} has a header but no data rows.", report);
        }

        var share = (double)report.RowsRejected / report.RowsRead;
        if (report.RowsImported == 0 || share > request.MaxRejectedRowsRatio)
        {
            var examples = string.Join("; ", report.Rejections.Take(3).Select(r => $"{r.File} line {r.Line} {r.Field}: {r.Reason}"));
            throw new ImportFailedException(
                $"{report.RowsRejected} of {report.RowsRead} rows ({share:P1}) were rejected, more than maxRejectedRowsRatio " +
                $"{request.MaxRejectedRowsRatio.ToString(CultureInfo.InvariantCulture)} allows. First rejections: {examples}",
                report);
        }
    }

    /// <summary>Deletes bulk files of versions older than this one that neither this manifest nor the previous one lists.</summary>
    private async Task RemoveUnreferencedAsync(S3Uri bulk, string version, BulkManifest current, BulkManifest? previous, CancellationToken cancellationToken)
    {
        var referenced = current.Files.Concat(previous?.Files ?? []).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var stale = new List<S3Uri>();
        await foreach (var info in store.ListAsync(bulk, cancellationToken))
        {
            var relative = info.Uri.Key[bulk.Key.Length..];
            var slash = relative.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && string.CompareOrdinal(relative[..slash], version) < 0 && !referenced.Contains(info.Uri.Key))
            {
                stale.Add(info.Uri);
            }
        }

        foreach (var uri in stale)
        {
            await store.DeleteAsync(uri, cancellationToken);
        }
    }

    private async Task DeletePrefixAsync(S3Uri prefix, CancellationToken cancellationToken)
    {
        var objects = new List<S3Uri>();
        await foreach (var info in store.ListAsync(prefix, cancellationToken))
        {
            objects.Add(info.Uri);
        }

        foreach (var uri in objects)
        {
            await store.DeleteAsync(uri, cancellationToken);
        }
    }

    private async Task WriteReportAsync(DatasetImportRequest request, ImportReport report, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(report, ReportJson);
        await store.WriteAsync(StoreLayout.ImportReport(request.DatasetGroup, request.JobName), new MemoryStream(bytes), cancellationToken);
    }

    private static string Sanitize(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());

    /// <summary>The state of one import while it reads: the batch being filled, counters, and the new keys.</summary>
    private sealed class ImportRun
    {
        private readonly DatasetImportRequest _request;
        private readonly ImportReport _report;
        private readonly ParquetPartWriter _writer;
        private readonly IProgress<ImportProgress>? _progress;
        private readonly RowBatch _batch;
        private readonly RecordKeys? _keys;
        private readonly HashSet<ulong>? _newKeys;
        private readonly StringColumn? _users;
        private readonly StringColumn? _items;
        private readonly ValueColumn<long>? _timestamps;
        private readonly DistinctCounter _distinctUsers = new();
        private readonly DistinctCounter _distinctItems = new();
        private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();
        private long _bytesBefore;

        public ImportRun(DatasetImportRequest request, ImportReport report, ParquetPartWriter writer, IProgress<ImportProgress>? progress)
        {
            _request = request;
            _report = report;
            _writer = writer;
            _progress = progress;
            _batch = RowBatch.For(request.Schema, request.RowGroupSize);
            _keys = RecordKeys.For(request.Schema.DatasetType, _batch);
            _newKeys = request.Mode == ImportMode.Incremental ? [] : null;
            var type = request.Schema.DatasetType;
            _users = type != DatasetTypes.Items ? Column<StringColumn>(FieldNames.UserId) : null;
            _items = type != DatasetTypes.Users ? Column<StringColumn>(FieldNames.ItemId) : null;
            _timestamps = Column<ValueColumn<long>>(type == DatasetTypes.Items ? FieldNames.CreationTimestamp : FieldNames.Timestamp);
        }

        public long TotalBytes { get; set; }

        public async Task ReadFileAsync(IObjectStore store, ObjectInfo input, CancellationToken cancellationToken)
        {
            var file = input.Uri.ToString();
            long rows = 0;
            Stream raw;
            try
            {
                raw = await store.OpenReadAsync(input.Uri, cancellationToken);
            }
            catch (ObjectNotFoundException)
            {
                throw new ImportFailedException($"{file} disappeared while the import was reading it.", _report);
            }

            await using var counting = new CountingStream(raw);
            using var text = new StreamReader(counting, StrictUtf8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            var csv = new CsvReader(text);
            try
            {
                if (!await csv.ReadAsync(cancellationToken))
                {
                    throw new ImportFailedException($"{file} is empty: it needs a header row with the schema's field names.", _report);
                }

                var parser = RowParser.ForHeader(_request.Schema, _batch, csv, out var problem)
                    ?? throw new ImportFailedException($"{file}: {problem}", _report);
                while (await csv.ReadAsync(cancellationToken))
                {
                    rows++;
                    _report.RowsRead++;
                    if (parser.Parse(csv, _batch.Count) is { } rejection)
                    {
                        Reject(file, csv.Line, rejection.Field, rejection.Reason);
                        continue;
                    }

                    Accept(_batch.Count);
                    _batch.Count++;
                    if (_batch.IsFull)
                    {
                        await FlushAsync(cancellationToken);
                    }

                    if ((rows & 0xFFFF) == 0)
                    {
                        _report.BytesRead = _bytesBefore + counting.BytesRead;
                        Report("read");
                    }
                }
            }
            catch (DecoderFallbackException)
            {
                throw new ImportFailedException($"{file} is not valid UTF-8 (near line {csv.Line + 1}); save the file as UTF-8.", _report);
            }
            catch (CsvFormatException e)
            {
                throw new ImportFailedException($"{file} {e.Message}", _report);
            }

            _bytesBefore += counting.BytesRead;
            _report.BytesRead = _bytesBefore;
            _report.Files.Add(new ImportedFile(file, input.Size, rows));
            _report.DistinctUsers = _users is null ? null : _distinctUsers.Count;
            _report.DistinctItems = _items is null ? null : _distinctItems.Count;
            Report("read");
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            await _writer.WriteAsync(_batch, cancellationToken);
            _batch.Count = 0;
        }

        /// <summary>
        /// INCREMENTAL: carries the earlier bulk data over minus the records this import replaces. A file with no
        /// replaced record is kept by reference (no copy); others are rewritten without those rows.
        /// </summary>
        public async Task<List<BulkFile>> MergePreviousAsync(IObjectStore store, string bucket, BulkManifest previous, CancellationToken cancellationToken)
        {
            Report("merge");
            var kept = new List<BulkFile>();
            foreach (var file in previous.Files)
            {
                var uri = new S3Uri(bucket, file.Key);
                if (!await AnyReplacedAsync(store, uri, cancellationToken))
                {
                    kept.Add(file);
                    continue;
                }

                await foreach (var old in ParquetParts.ReadAsync(store, uri, cancellationToken))
                {
                    var keys = RecordKeys.For(_request.Schema.DatasetType, old);
                    var map = _batch.MapFrom(old);
                    for (var row = 0; row < old.Count; row++)
                    {
                        if (keys is not null && _newKeys!.Contains(keys.Of(old, row)))
                        {
                            _report.RowsReplaced++;
                            continue;
                        }

                        _batch.CopyRow(old, row, map);
                        if (_batch.IsFull)
                        {
                            await FlushAsync(cancellationToken);
                        }
                    }
                }
            }

            await FlushAsync(cancellationToken);
            return kept;
        }

        private async Task<bool> AnyReplacedAsync(IObjectStore store, S3Uri uri, CancellationToken cancellationToken)
        {
            await foreach (var old in ParquetParts.ReadAsync(store, uri, cancellationToken))
            {
                if (RecordKeys.For(_request.Schema.DatasetType, old) is not { } keys)
                {
                    return false;
                }

                for (var row = 0; row < old.Count; row++)
                {
                    if (_newKeys!.Contains(keys.Of(old, row)))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private void Accept(int row)
        {
            if (_users?.Values[row] is { } user)
            {
                _distinctUsers.Add(user);
            }

            if (_items?.Values[row] is { } item)
            {
                _distinctItems.Add(item);
            }

            if (_timestamps?.Values[row] is { } timestamp)
            {
                _report.MinTimestamp = Math.Min(_report.MinTimestamp ?? long.MaxValue, timestamp);
                _report.MaxTimestamp = Math.Max(_report.MaxTimestamp ?? long.MinValue, timestamp);
            }

            if (_newKeys is not null && _keys is not null)
            {
                _newKeys.Add(_keys.Of(_batch, row));
            }
        }

        private void Reject(string file, long line, string field, string reason)
        {
            _report.RowsRejected++;
            if (_report.Rejections.Count < ImportReport.MaxRejectionsListed)
            {
                _report.Rejections.Add(new RowRejection(file, line, field, reason));
            }
        }

        private void Report(string stage)
        {
            if (_progress is null || _sinceProgress.ElapsedMilliseconds < 1000)
            {
                return;
            }

            _sinceProgress.Restart();
            _progress.Report(new ImportProgress(stage, _report.RowsRead, _report.BytesRead, TotalBytes));
        }

        private T? Column<T>(string name)
            where T : ColumnBuffer =>
            _batch.IndexOf(name) is var i and >= 0 ? _batch.Columns[i] as T : null;
    }
}
