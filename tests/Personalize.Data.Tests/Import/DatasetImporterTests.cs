using System.Text.Json;
using Personalize.Data.Datasets;
using Personalize.Data.Import;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Data.Tests.Import;

[Collection(S3Collection.Name)]
public sealed class DatasetImporterTests(S3Server s3)
{
    private static readonly DatasetSchema InteractionsSchema = DatasetSchema.Create(DatasetTypes.Interactions,
        new SchemaField(FieldNames.UserId, FieldType.String, false),
        new SchemaField(FieldNames.ItemId, FieldType.String, false),
        new SchemaField(FieldNames.Timestamp, FieldType.Long, false),
        new SchemaField(FieldNames.EventType, FieldType.String, true),
        new SchemaField(FieldNames.EventValue, FieldType.Float, true),
        new SchemaField("DEVICE", FieldType.String, true, Categorical: true));

    private static readonly DatasetSchema ItemsSchema = DatasetSchema.Create(DatasetTypes.Items,
        new SchemaField(FieldNames.ItemId, FieldType.String, false),
        new SchemaField("GENRES", FieldType.String, true, Categorical: true),
        new SchemaField("PRICE", FieldType.Double, true),
        new SchemaField("IN_STOCK", FieldType.Boolean, true),
        new SchemaField(FieldNames.CreationTimestamp, FieldType.Long, true),
        new SchemaField("DESCRIPTION", FieldType.String, true, Textual: true));

    private static readonly DatasetSchema UsersSchema = DatasetSchema.Create(DatasetTypes.Users,
        new SchemaField(FieldNames.UserId, FieldType.String, false),
        new SchemaField("AGE", FieldType.Int, true));

    [Fact]
    public async Task Import_GoodFile_WritesTypedRecordsSchemaAndReport()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        var csv = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE\nu1,i1,1700000000,click,,mobile\nu2,i2,1700000100,purchase,9.5,\nu1,i2,1700000200,click,1,mobile\n";
        var location = await f.PutAsync("in/interactions.csv", csv);

        var report = await f.ImportAsync("imp-good", InteractionsSchema, location);

        Assert.Equal((3L, 3L, 0L, 3L), (report.RowsRead, report.RowsImported, report.RowsRejected, report.DatasetRowCount));
        Assert.Equal((2L, 2L), (report.DistinctUsers!.Value, report.DistinctItems!.Value));
        Assert.Equal((1700000000L, 1700000200L), (report.MinTimestamp!.Value, report.MaxTimestamp!.Value));
        var rows = await f.ToListAsync(f.Reader.ReadInteractionsAsync());
        Assert.Equal(new Interaction("u2", "i2", 1700000100, "purchase", 9.5f, null, null, rows[1].Context), rows[1]);
        Assert.Null(rows[1].Context["DEVICE"]);
        Assert.Equal("mobile", rows[0].Context["DEVICE"]);
        Assert.Null(rows[0].EventValue);
        Assert.Equal(InteractionsSchema.Fields, (await f.Reader.ReadSchemaAsync(DatasetTypes.Interactions))!.Fields);
        var stored = await ReadJsonAsync(f, StoreLayout.ImportReport(f.Group, "imp-good"));
        Assert.Equal("SUCCEEDED", stored.GetProperty("status").GetString());
        Assert.Equal(3, stored.GetProperty("rowsImported").GetInt64());
    }

    [Fact]
    public async Task Import_ItemsWithQuotedTextualAndCategorical_ParsesTypes()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        var csv = "ITEM_ID,GENRES,PRICE,IN_STOCK,CREATION_TIMESTAMP,DESCRIPTION\n" +
                  "i1,Horror|Action,12.5,true,1690000000,\"Scary, fast: \\\"the\\\" best\"\n" +
                  "i2,,,false,,\"Crème brûlée — 日本\"\n";
        var location = await f.PutAsync("items.csv", csv);

        await f.ImportAsync("imp-items", ItemsSchema, location);

        var items = await f.ToListAsync(f.Reader.ReadItemsAsync());
        Assert.Equal(["Horror", "Action"], FieldNames.SplitMultiValue((string?)items[0].Fields["GENRES"]));
        Assert.Equal(12.5, items[0].Fields["PRICE"]);
        Assert.Equal(true, items[0].Fields["IN_STOCK"]);
        Assert.Equal(1690000000L, items[0].CreationTimestamp);
        Assert.Equal("Scary, fast: \"the\" best", items[0].Fields["DESCRIPTION"]);
        Assert.Null(items[1].Fields["GENRES"]);
        Assert.Null(items[1].CreationTimestamp);
        Assert.Equal("Crème brûlée — 日本", items[1].Fields["DESCRIPTION"]);
    }

    [Fact]
    public async Task Import_FolderOfFiles_ReadsEveryCsvUnderPrefix()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        await f.PutAsync("folder/a.csv", "USER_ID,AGE\nu1,30\nu2,40\n");
        await f.PutAsync("folder/sub/b.CSV", "AGE,USER_ID\n50,u3\n");
        await f.PutAsync("folder/notes.txt", "not csv");

        var report = await f.ImportAsync("imp-folder", UsersSchema, new S3Uri(f.Bucket, "folder/"));

        Assert.Equal(2, report.Files.Count);
        Assert.Equal(3, report.RowsImported);
        var users = await f.ToListAsync(f.Reader.ReadUsersAsync());
        Assert.Equal(["u1", "u2", "u3"], users.Select(u => u.UserId));
        Assert.Equal(50, users[2].Fields["AGE"]);
    }

    [Fact]
    public async Task Import_BadRowsUnderThreshold_AreReportedNotFatal()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        var good = string.Concat(Enumerable.Range(0, 40).Select(i => $"u{i},i{i},{1700000000 + i},click,1,mobile\n"));
        var csv = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE\n" + good +
                  "u1,i1,1700000000000,click,1,mobile\n" +
                  ",i1,1700000000,click,1,mobile\n" +
                  "u1,i1,soon,click,1,mobile\n" +
                  "u1,i1,1700000000,click,lots,mobile\n" +
                  "u1,i1,1700000000\n";
        var location = await f.PutAsync("bad-rows.csv", csv);

        var report = await f.ImportAsync("imp-bad", InteractionsSchema, location, maxRejected: 0.2);

        Assert.Equal((45L, 40L, 5L), (report.RowsRead, report.RowsImported, report.RowsRejected));
        Assert.Equal(
        [
            (42L, "TIMESTAMP", "milliseconds"), (43L, "USER_ID", "required"), (44L, "TIMESTAMP", "epoch seconds"),
            (45L, "EVENT_VALUE", "float"), (46L, "*", "expected 6 columns, found 3"),
        ], report.Rejections.Select(r => (r.Line, r.Field, Match(r.Reason, "milliseconds", "required", "epoch seconds", "float", "expected 6 columns, found 3"))));
    }

    [Fact]
    public async Task Import_TooManyBadRows_FailsAndKeepsEarlierData()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        await f.ImportAsync("imp-first", UsersSchema, await f.PutAsync("users1.csv", "USER_ID,AGE\nu1,30\nu2,40\n"));

        var bad = await f.PutAsync("users2.csv", "USER_ID,AGE\nu9,old\nu8,young\nu7,20\n");
        var error = await Assert.ThrowsAsync<ImportFailedException>(() => f.ImportAsync("imp-second", UsersSchema, bad));

        Assert.Contains("2 of 3 rows", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 2 AGE", error.Message, StringComparison.Ordinal);
        Assert.Equal(["u1", "u2"], (await f.ToListAsync(f.Reader.ReadUsersAsync())).Select(u => u.UserId));
        var stored = await ReadJsonAsync(f, StoreLayout.ImportReport(f.Group, "imp-second"));
        Assert.Equal("FAILED", stored.GetProperty("status").GetString());
        await AssertOnlyCommittedFilesAsync(f, DatasetTypes.Users);
    }

    [Fact]
    public async Task Import_WrongHeader_FailsNamingColumns()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        var location = await f.PutAsync("wrong.csv", "USER_ID,ITEM,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE\nu1,i1,1,click,,\n");

        var error = await Assert.ThrowsAsync<ImportFailedException>(() => f.ImportAsync("imp-header", InteractionsSchema, location));

        Assert.Contains("missing ITEM_ID", error.Message, StringComparison.Ordinal);
        Assert.Contains("not in the schema: ITEM", error.Message, StringComparison.Ordinal);
        Assert.Null(await f.Reader.ReadManifestAsync(DatasetTypes.Interactions));
    }

    [Fact]
    public async Task Import_MissingLocation_FailsSayingSo()
    {
        await using var f = await ImportFixture.CreateAsync(s3);

        var error = await Assert.ThrowsAsync<ImportFailedException>(
            () => f.ImportAsync("imp-missing", UsersSchema, new S3Uri(f.Bucket, "nowhere/users.csv")));
        var noBucket = await Assert.ThrowsAsync<ImportFailedException>(
            () => f.ImportAsync("imp-missing-bucket", UsersSchema, new S3Uri("no-such-bucket-x", "data/")));

        Assert.Contains("s3://" + f.Bucket + "/nowhere/users.csv does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("holds no .csv files", noBucket.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_NotUtf8_FailsSayingSo()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        var uri = new S3Uri(f.Bucket, "latin1.csv");
        await f.Store.WriteAsync(uri, new MemoryStream([.. "USER_ID,AGE\nu"u8, 0xE9, .. ",3\n"u8]), CancellationToken.None);

        var error = await Assert.ThrowsAsync<ImportFailedException>(() => f.ImportAsync("imp-latin1", UsersSchema, uri));

        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FullThenIncremental_Users_ReplacesSameIdsAndKeepsOthers()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        await f.ImportAsync("full", UsersSchema, await f.PutAsync("u1.csv", "USER_ID,AGE\nu1,30\nu2,40\nu3,50\n"));

        var report = await f.ImportAsync("incr", UsersSchema, await f.PutAsync("u2.csv", "USER_ID,AGE\nu2,41\nu4,20\n"), ImportMode.Incremental);

        Assert.Equal((2L, 1L, 4L), (report.RowsImported, report.RowsReplaced, report.DatasetRowCount));
        var ages = (await f.ToListAsync(f.Reader.ReadUsersAsync())).ToDictionary(u => u.UserId, u => u.Fields["AGE"]);
        Assert.Equal(new Dictionary<string, object?> { ["u1"] = 30, ["u2"] = 41, ["u3"] = 50, ["u4"] = 20 }, ages);

        var full = await f.ImportAsync("full2", UsersSchema, await f.PutAsync("u3.csv", "USER_ID,AGE\nu9,99\n"));
        Assert.Equal(1, full.DatasetRowCount);
        Assert.Equal(["u9"], (await f.ToListAsync(f.Reader.ReadUsersAsync())).Select(u => u.UserId));
        await AssertOnlyCommittedFilesAsync(f, DatasetTypes.Users);
    }

    [Fact]
    public async Task Incremental_Interactions_ReplacesSameEventAndKeepsUntouchedFilesByReference()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        const string header = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE\n";
        await f.ImportAsync("i-full", InteractionsSchema, await f.PutAsync("a.csv", header + "u1,i1,100,click,1,\nu1,i2,200,click,1,\n"));
        await f.ImportAsync("i-incr1", InteractionsSchema, await f.PutAsync("b.csv", header + "u2,i1,300,click,1,\n"), ImportMode.Incremental);
        var firstFiles = (await f.Reader.ReadManifestAsync(DatasetTypes.Interactions))!.Files;

        var report = await f.ImportAsync("i-incr2", InteractionsSchema,
            await f.PutAsync("c.csv", header + "u1,i1,100,click,5,tablet\nu1,i1,100,purchase,9,\n"), ImportMode.Incremental);

        Assert.Equal((1L, 4L), (report.RowsReplaced, report.DatasetRowCount));
        var rows = await f.ToListAsync(f.Reader.ReadInteractionsAsync());
        Assert.Single(rows, r => r is { UserId: "u1", ItemId: "i1", EventType: "click" });
        Assert.Contains(rows, r => r is { UserId: "u1", ItemId: "i1", EventType: "click", EventValue: 5f });
        var manifest = (await f.Reader.ReadManifestAsync(DatasetTypes.Interactions))!;
        // The file of i-incr1 had no replaced event, so the new version lists it as it was.
        Assert.Contains(manifest.Files, file => file.Key.Contains("i-incr1", StringComparison.Ordinal) && firstFiles.Contains(file));
    }

    [Fact]
    public async Task Realtime_WriterRecords_AreReadAfterBulkAndOverrideMetadata()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        await f.ImportAsync("users", UsersSchema, await f.PutAsync("u.csv", "USER_ID,AGE\nu1,30\nu2,40\n"));
        var writer = new RealtimeRecordWriter(f.Store, f.Group, "runtime-pod/1");

        var first = await writer.AppendUsersAsync([new UserRecord("u2", new Dictionary<string, object?> { ["AGE"] = 42 })]);
        var second = await writer.AppendInteractionsAsync(
        [
            new Interaction("u1", "i9", 1700000500, "click", null, null, "rec-1", new Dictionary<string, string?> { ["SESSION_ID"] = "s1" }),
            new Interaction("u2", "i8", 1700000600, "purchase", 3.5f, "i8|i7", null, Interaction.NoContext),
        ]);

        Assert.Matches(@"/datasets/Users/realtime/\d{8}T\d{9}-runtime-pod_1-00000001\.jsonl$", first.ToString());
        Assert.EndsWith("-00000002.jsonl", second.Key, StringComparison.Ordinal);
        var users = await f.ToListAsync(f.Reader.ReadUsersAsync());
        Assert.Equal(42, users.Single(u => u.UserId == "u2").Fields["AGE"]);
        Assert.Equal(2, users.Count);
        var events = await f.ToListAsync(f.Reader.ReadInteractionsAsync());
        Assert.Equal("s1", events[0].Context["SESSION_ID"]);
        Assert.Equal(new Interaction("u2", "i8", 1700000600, "purchase", 3.5f, "i8|i7", null, events[1].Context), events[1]);
        Assert.Empty(await f.ToListAsync(f.Reader.ReadInteractionsAsync(includeRealtime: false)));
    }

    private static string Match(string reason, params string[] expected) =>
        expected.FirstOrDefault(e => reason.Contains(e, StringComparison.Ordinal)) ?? reason;

    private static async Task<JsonElement> ReadJsonAsync(ImportFixture f, S3Uri uri)
    {
        await using var stream = await f.Store.OpenReadAsync(uri, CancellationToken.None);
        using var document = await JsonDocument.ParseAsync(stream);
        return document.RootElement.Clone();
    }

    /// <summary>No staging leftovers: every bulk object is the manifest or a file the manifest (or its predecessor) lists.</summary>
    private static async Task AssertOnlyCommittedFilesAsync(ImportFixture f, string datasetType)
    {
        var manifest = (await f.Reader.ReadManifestAsync(datasetType))!;
        var bulk = StoreLayout.BulkData(f.Group, datasetType);
        await foreach (var info in f.Store.ListAsync(bulk, CancellationToken.None))
        {
            var committed = info.Uri.Name == BulkManifest.FileName || manifest.Files.Any(file => file.Key == info.Uri.Key)
                || (manifest.PreviousVersion is { } previous && info.Uri.Key.Contains(previous, StringComparison.Ordinal));
            Assert.True(committed, $"unexpected {info.Uri}");
        }
    }
}
