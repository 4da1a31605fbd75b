using Personalize.Data.Datasets;
using Personalize.Models.Filters;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>The runtime and batch inference see dataset records in one text form, as Personalize's data writes them.</summary>
public sealed class FilterRecordsTests
{
    [Fact]
    public void ItemRecords_BecomeText_WithLowerCaseBooleans_InvariantNumbers_AndTheirCreationTime()
    {
        var item = new ItemRecord("i1", 1_700_000_000, new Dictionary<string, object?>
        {
            ["IN_STOCK"] = true,
            ["PRICE"] = 12.5f,
            ["GENRES"] = "Comedy|Drama",
            ["BRAND"] = null,
        });

        var update = FilterRecords.Item(item);

        Assert.Equal("i1", update.ItemId);
        Assert.Equal("true", update.Fields["IN_STOCK"]);
        Assert.Equal("12.5", update.Fields["PRICE"]);
        Assert.Equal("Comedy|Drama", update.Fields["GENRES"]);
        Assert.Null(update.Fields["BRAND"]);
        Assert.Equal("1700000000", update.Fields["CREATION_TIMESTAMP"]);
    }

    [Fact]
    public void Interactions_KeepTheirEventTypeAndValue_AndAMissingTypeIsEmpty()
    {
        var typed = FilterRecords.Interaction(new Interaction("u1", "i1", 10, "purchase", 2.5f, null, null, Interaction.NoContext));
        var untyped = FilterRecords.Interaction(new Interaction("u1", "i2", 11, null, null, null, null, Interaction.NoContext));

        Assert.Equal(new FilterInteraction("i1", "purchase", 2.5, 10), typed);
        Assert.Equal(string.Empty, untyped.EventType);
    }
}
