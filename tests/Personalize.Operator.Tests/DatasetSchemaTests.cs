using System.Text;
using Personalize.Api;
using Personalize.Data.Datasets;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>
/// The runtime checks PutItems/PutUsers properties against the dataset's stored schema, so a dataset that is ACTIVE
/// must have one before any import (create_dataset, then put_items is a normal flow).
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class DatasetSchemaTests(OperatorEnvironment env)
{
    private const string ItemsSchema = """
        {"type":"record","name":"Items","namespace":"com.amazonaws.personalize.schema","fields":[
          {"name":"ITEM_ID","type":"string"},{"name":"GENRES","type":["null","string"],"categorical":true}],"version":"1.0"}
        """;

    [Fact]
    public async Task ActiveDataset_WithoutImport_HasItsSchemaStored()
    {
        using var cluster = await TestCluster.CreateAsync(env, "dschema");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);

        await cluster.CreateAsync(Samples.Group(ns));
        await cluster.CreateAsync(Samples.Schema(ns, "items", ItemsSchema));
        var dataset = Samples.Dataset(ns, "items", schema: "items");
        dataset.Spec.DatasetType = DatasetTypes.Items;
        await cluster.CreateAsync(dataset);
        await cluster.WaitForPhaseAsync<Dataset>("items", Phases.Active);

        var group = S3Uri.Parse($"s3://{env.Bucket}/{ns}/retail/");
        var stored = await new DatasetReader(env.Objects, group).ReadSchemaAsync(DatasetTypes.Items);
        Assert.NotNull(stored);
        Assert.Equal(["ITEM_ID", "GENRES"], stored.Fields.Select(f => f.Name));
        Assert.Equal(DatasetSchema.Parse(ItemsSchema).ToJson(), stored.ToJson());
    }

    [Fact]
    public async Task ActiveDataset_WithCommittedImport_KeepsTheImportsSchema()
    {
        using var cluster = await TestCluster.CreateAsync(env, "dschemaimp");
        var ns = cluster.Namespace;
        var group = S3Uri.Parse($"s3://{env.Bucket}/{ns}/retail/");
        // What an earlier import committed: its schema describes the bulk data until the next import replaces both.
        var imported = DatasetSchema.Parse(ItemsSchema.Replace("GENRES", "COLOR", StringComparison.Ordinal));
        await StoredSchema.WriteAsync(env.Objects, group, imported, CancellationToken.None);
        await env.Objects.WriteAsync(BulkManifest.Location(group, DatasetTypes.Items), new MemoryStream(Encoding.UTF8.GetBytes("{}")), CancellationToken.None);
        await using var op = await RunningOperator.StartAsync(env, ns);

        await cluster.CreateAsync(Samples.Group(ns));
        await cluster.CreateAsync(Samples.Schema(ns, "items", ItemsSchema));
        var dataset = Samples.Dataset(ns, "items", schema: "items");
        dataset.Spec.DatasetType = DatasetTypes.Items;
        await cluster.CreateAsync(dataset);
        await cluster.WaitForPhaseAsync<Dataset>("items", Phases.Active);

        var stored = await new DatasetReader(env.Objects, group).ReadSchemaAsync(DatasetTypes.Items);
        Assert.Equal(imported.ToJson(), stored?.ToJson());
    }
}
