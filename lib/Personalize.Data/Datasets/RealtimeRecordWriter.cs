using System.Globalization;
using System.Text.Json;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;

namespace Personalize.Data.Datasets;

/// <summary>
/// Records PutEvents / PutUsers / PutItems data (docs/contracts.md, contract 2): each call writes one JSON-lines object under
/// datasets/{type}/realtime/ named {yyyyMMddTHHmmssfff}-{writerId}-{seq}.jsonl, one record per line keyed by schema
/// field names. The call returns only once the object store holds the file (durable), so the runtime may acknowledge
/// the request then. Objects are never appended to in place: S3 cannot, and whole-object writes keep readers safe.
/// </summary>
public sealed class RealtimeRecordWriter
{
    public const string Extension = ".jsonl";

    /// <summary>
    /// Longest an acknowledged write may take, from the time in its name until the store holds it. A slower write is
    /// refused (not acknowledged): compaction folds objects named <see cref="RealtimeCompactionOptions.Lag"/> ago and
    /// more, and must find every acknowledged one already listed.
    /// </summary>
    public static readonly TimeSpan MaxWriteDuration = TimeSpan.FromMinutes(2);

    /// <summary>The time at the start of every object name; names sort by it.</summary>
    internal const string NameTimeFormat = "yyyyMMdd'T'HHmmssfff";

    private readonly IObjectStore _store;
    private readonly TimeProvider _time;
    private readonly string _writerId;
    private long _sequence;

    /// <param name="writerId">Distinguishes concurrent writers (e.g. the pod name); letters, digits, '-' and '_' are kept.</param>
    public RealtimeRecordWriter(IObjectStore store, S3Uri datasetGroup, string writerId, TimeProvider? time = null)
    {
        _store = store;
        DatasetGroup = datasetGroup;
        _time = time ?? TimeProvider.System;
        _writerId = new string(writerId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        if (_writerId.Length == 0)
        {
            throw new ArgumentException("writerId must not be empty.", nameof(writerId));
        }
    }

    public S3Uri DatasetGroup { get; }

    public Task<S3Uri> AppendInteractionsAsync(IReadOnlyList<Interaction> interactions, CancellationToken cancellationToken = default) =>
        AppendAsync(DatasetTypes.Interactions, interactions.Select(RecordMapper.Fields).ToList(), cancellationToken);

    public Task<S3Uri> AppendUsersAsync(IReadOnlyList<UserRecord> users, CancellationToken cancellationToken = default) =>
        AppendAsync(DatasetTypes.Users, users.Select(RecordMapper.Fields).ToList(), cancellationToken);

    public Task<S3Uri> AppendItemsAsync(IReadOnlyList<ItemRecord> items, CancellationToken cancellationToken = default) =>
        AppendAsync(DatasetTypes.Items, items.Select(RecordMapper.Fields).ToList(), cancellationToken);

    /// <summary>Writes a batch of records (field name to value) as one new file of a dataset type's log (or the <see cref="ServedRecommendations"/> log); returns where it went.</summary>
    public async Task<S3Uri> AppendAsync(string datasetType, IReadOnlyList<IReadOnlyDictionary<string, object?>> records, CancellationToken cancellationToken = default)
    {
        var type = RealtimeLogs.Canonical(datasetType) ?? throw new ArgumentException($"Unknown dataset type \"{datasetType}\".", nameof(datasetType));
        if (records.Count == 0)
        {
            throw new ArgumentException("No records to write.", nameof(records));
        }

        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            foreach (var record in records)
            {
                JsonSerializer.Serialize(json, record);
                await json.FlushAsync(cancellationToken);
                json.Reset();
                buffer.WriteByte((byte)'\n');
            }
        }

        buffer.Position = 0;
        var sequence = Interlocked.Increment(ref _sequence);
        var named = _time.GetUtcNow();
        var name = $"{named.ToString(NameTimeFormat, CultureInfo.InvariantCulture)}-{_writerId}-{sequence:D8}{Extension}";
        var uri = StoreLayout.RealtimeData(DatasetGroup, type).Append(name);
        await _store.WriteAsync(uri, buffer, cancellationToken);
        if (_time.GetUtcNow() - named > MaxWriteDuration)
        {
            throw new IOException($"Storing {uri} took longer than {MaxWriteDuration.TotalSeconds:F0} s; its records are not acknowledged (a compaction may have passed them).");
        }

        return uri;
    }
}
