using Personalize.Data.Datasets;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Data.Tests.Import;
using Personalize.Testing;
using Xunit;

namespace Personalize.Data.Tests.Datasets;

/// <summary>
/// The served-lists log on s3rver: compacted like the datasets' logs, read back by recommendationId, and bounded by its
/// retention, while the datasets' records are never dropped.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class ServedRecommendationsTests(S3Server s3)
{
    private static readonly RealtimeCompactionOptions Fold = new() { MinObjects = 1, ServedListRetention = TimeSpan.FromDays(14) };

    [Fact]
    public async Task ListsPastTheRetention_LeaveWithTheNextCompaction_AndInteractionsOfTheSameAgeStay()
    {
        await using var f = await ImportFixture.CreateAsync(s3);
        var old = new RealtimeRecordWriter(f.Store, f.Group, "old", new ShiftedTime(TimeSpan.FromDays(-20)));
        var recent = new RealtimeRecordWriter(f.Store, f.Group, "recent", new ShiftedTime(TimeSpan.FromDays(-1)));
        await old.AppendAsync(ServedRecommendations.Log, [ServedRecommendations.Record("RID-old", "u1", ["i1", "i2"], DateTimeOffset.UtcNow.AddDays(-20))]);
        await old.AppendAsync(DatasetTypes.Interactions, [Event("u1", "i1", DateTimeOffset.UtcNow.AddDays(-20))]);
        var compactor = new RealtimeCompactor(f.Store, f.Group, Fold);
        await compactor.CompactAsync(ServedRecommendations.Log, CancellationToken.None);
        await compactor.CompactAsync(DatasetTypes.Interactions, CancellationToken.None);
        var wanted = new HashSet<string> { "RID-old", "RID-new" };
        Assert.Equal(["RID-old"], (await ServedRecommendations.ReadAsync(f.Store, f.Group, wanted, CancellationToken.None)).Keys);

        await recent.AppendAsync(ServedRecommendations.Log, [ServedRecommendations.Record("RID-new", null, ["i3"], DateTimeOffset.UtcNow.AddDays(-1))]);
        await recent.AppendAsync(DatasetTypes.Interactions, [Event("u2", "i3", DateTimeOffset.UtcNow.AddDays(-1))]);
        var expired = await compactor.CompactAsync(ServedRecommendations.Log, CancellationToken.None);
        await compactor.CompactAsync(DatasetTypes.Interactions, CancellationToken.None);

        var served = await ServedRecommendations.ReadAsync(f.Store, f.Group, wanted, CancellationToken.None);
        var list = Assert.Single(served);
        Assert.Equal("RID-new", list.Key);
        Assert.Null(list.Value.UserId);
        Assert.Equal(["i3"], list.Value.Items);
        Assert.Equal(1, expired!.Records);
        var interactions = new List<Interaction>();
        await foreach (var interaction in f.Reader.ReadInteractionsAsync())
        {
            interactions.Add(interaction);
        }

        Assert.Equal(["u1", "u2"], interactions.Select(i => i.UserId).Order());

        // After the grace the expired part is deleted from the store too.
        var parts = RealtimeWatermark.PartsRoot(f.Group, ServedRecommendations.Log);
        await new RealtimeCompactor(f.Store, f.Group, Fold, new ShiftedTime(TimeSpan.FromHours(2))).CompactAsync(ServedRecommendations.Log, CancellationToken.None);
        var left = new List<string>();
        await foreach (var info in f.Store.ListAsync(parts, CancellationToken.None))
        {
            left.Add(info.Uri.Key);
        }

        Assert.Equal(expired.Parts.Select(p => p.Key), left);
    }

    [Fact]
    public void AListServedToNoUser_WasShownToAnyone_AndAUsersListToThatUserOrTheirSession()
    {
        Assert.True(new ServedList(null, ["i1"]).ShownTo("u9", null));
        Assert.True(new ServedList("u1", ["i1"]).ShownTo("u1", null));
        Assert.True(new ServedList("web-7", ["i1"]).ShownTo("u1", "web-7"));
        Assert.False(new ServedList("u1", ["i1"]).ShownTo("u2", "web-2"));
    }

    private static Dictionary<string, object?> Event(string user, string item, DateTimeOffset time) => new()
    {
        [FieldNames.UserId] = user,
        [FieldNames.ItemId] = item,
        [FieldNames.Timestamp] = time.ToUnixTimeSeconds(),
        [FieldNames.EventType] = "click",
    };
}
