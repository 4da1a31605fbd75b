using Personalize.Api;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>
/// A filter naming a field the runtime has no values for would silently match nothing (an EXCLUDE that never
/// excludes, an INCLUDE that empties every list): it is refused naming the field, checked against the group's schemas.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class FilterFieldTests(OperatorEnvironment env)
{
    private const string ItemsSchema = """
        {"type":"record","name":"Items","namespace":"com.amazonaws.personalize.schema","fields":[
          {"name":"ITEM_ID","type":"string"},{"name":"GENRES","type":["null","string"],"categorical":true},
          {"name":"PRICE","type":["null","float"]},{"name":"IS_NEW","type":["null","boolean"]},
          {"name":"DESCRIPTION","type":["null","string"],"textual":true}],"version":"1.0"}
        """;

    [Fact]
    public async Task FieldsTheRuntimeHasNoValuesFor_AreCreateFailed_NamingTheFieldAndWhatMayBeUsed_AndAGoodFilterIsActive()
    {
        using var cluster = await TestCluster.CreateAsync(env, "filterfield");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await CreateItemsDatasetAsync(cluster);
        await cluster.CreateAsync(Samples.Filter(ns, "by-device", expression: "EXCLUDE ItemID WHERE Interactions.DEVICE IN (\"mobile\")"));
        await cluster.CreateAsync(Samples.Filter(ns, "by-colour", expression: "INCLUDE ItemID WHERE Items.COLOR IN ($COLORS)"));
        await cluster.CreateAsync(Samples.Filter(ns, "by-description", expression: "EXCLUDE ItemID WHERE Items.DESCRIPTION IN (\"used\")"));
        await cluster.CreateAsync(Samples.Filter(ns, "new-only", expression: "INCLUDE ItemID WHERE Items.IS_NEW IN (\"true\")"));
        await cluster.CreateAsync(Samples.Filter(ns, "in-genre", expression: "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"purchase\") | INCLUDE ItemID WHERE Items.GENRES IN ($GENRES)"));

        var device = await cluster.WaitForPhaseAsync<Filter>("by-device", Phases.CreateFailed);
        Assert.Equal(
            "spec.filterExpression: at position 22: Interactions.DEVICE is not a column interaction filters read (contextual metadata is not filtered on); Interactions fields a filter can use: EVENT_TYPE, ITEM_ID, EVENT_VALUE, TIMESTAMP.",
            device.Status.FailureReason);
        Assert.Equal("UnusableFilterField", device.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Reason);
        var colour = await cluster.WaitForPhaseAsync<Filter>("by-colour", Phases.CreateFailed);
        Assert.Equal(
            "spec.filterExpression: at position 22: Items.COLOR is not a column of the Items dataset's schema; Items fields a filter can use: GENRES, PRICE.",
            colour.Status.FailureReason);
        var description = await cluster.WaitForPhaseAsync<Filter>("by-description", Phases.CreateFailed);
        Assert.Contains("Items.DESCRIPTION is a textual field", description.Status.FailureReason);
        var isNew = await cluster.WaitForPhaseAsync<Filter>("new-only", Phases.CreateFailed);
        Assert.Contains("Items.IS_NEW is a boolean field", isNew.Status.FailureReason);

        var inGenre = await cluster.WaitForPhaseAsync<Filter>("in-genre", Phases.Active);
        Assert.Equal(["GENRES"], inGenre.Status.Parameters);
        Assert.Equal(device.Spec.FilterExpression, (await cluster.GetAsync<Filter>("by-device")).Spec.FilterExpression);
    }

    [Fact]
    public async Task FilterOnADatasetTheGroupDoesNotHaveYet_WaitsForIt_ThenIsActive()
    {
        using var cluster = await TestCluster.CreateAsync(env, "filterwait");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Filter(ns, "in-genre", expression: "INCLUDE ItemID WHERE Items.GENRES IN ($GENRES)"));

        var waiting = await cluster.WaitForAsync<Filter>("in-genre", f => f.Status.Conditions.Any(c => c.Reason == "WaitingForDataset"), "a waiting condition");
        Assert.Equal(Phases.CreatePending, waiting.Status.Phase);
        Assert.Contains("waiting for the Items dataset of dataset group retail", waiting.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Message);

        await CreateItemsDatasetAsync(cluster);
        var active = await cluster.WaitForPhaseAsync<Filter>("in-genre", Phases.Active);
        Assert.Equal(["GENRES"], active.Status.Parameters);
    }

    private static async Task CreateItemsDatasetAsync(TestCluster cluster)
    {
        await cluster.CreateAsync(Samples.Schema(cluster.Namespace, "items", ItemsSchema));
        var items = Samples.Dataset(cluster.Namespace, name: "items", schema: "items");
        items.Spec.DatasetType = "Items";
        await cluster.CreateAsync(items);
    }
}
