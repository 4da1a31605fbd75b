using Personalize.Data.Datasets;
using Personalize.Data.Schemas;
using Personalize.Data.Tests.Import;
using Personalize.Testing;
using Xunit;

namespace Personalize.Data.Tests.Datasets;

/// <summary>PutEvents records as training reads them: anonymous and item-less events must never fail a training.</summary>
[Collection(S3Collection.Name)]
public sealed class RealtimeInteractionTests(S3Server s3)
{
    [Fact]
    public async Task AnonymousEvents_BelongToTheUserWhoLoggedInWithTheirSession_ElseToTheSession()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        var writer = new RealtimeRecordWriter(f.Store, f.Group, "runtime");
        await writer.AppendAsync(DatasetTypes.Interactions,
        [
            Event(session: "s1", item: "i1", time: 100),
            Event(session: "s2", item: "i2", time: 110),
        ]);
        await writer.AppendAsync(DatasetTypes.Interactions, [Event(session: "s1", item: "i3", time: 120, user: "u1")]);

        var events = await f.ToListAsync(f.Reader.ReadInteractionsAsync());

        Assert.Equal([("u1", "i1"), ("s2", "i2"), ("u1", "i3")], events.Select(e => (e.UserId, e.ItemId)));
        Assert.Equal("s1", events[0].Context[FieldNames.SessionId]);
    }

    [Fact]
    public async Task EventsWithoutAnItem_AreKeptInTheStore_SkippedByTrainingAndCounted()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        var writer = new RealtimeRecordWriter(f.Store, f.Group, "runtime");
        await writer.AppendAsync(DatasetTypes.Interactions,
        [
            Event(session: "s1", item: null, time: 100, user: "u1"),
            Event(session: "s1", item: "i1", time: 110, user: "u1"),
            Event(session: "s9", item: null, time: 120),
        ]);
        var reader = f.Reader;

        var events = await f.ToListAsync(reader.ReadInteractionsAsync());

        Assert.Equal([("u1", "i1")], events.Select(e => (e.UserId, e.ItemId)));
        Assert.Equal(2, reader.EventsWithoutItem);
    }

    private static Dictionary<string, object?> Event(string session, string? item, long time, string? user = null)
    {
        var fields = new Dictionary<string, object?>
        {
            [FieldNames.SessionId] = session,
            [FieldNames.Timestamp] = time,
            [FieldNames.EventType] = "click",
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
}
