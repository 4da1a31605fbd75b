using Personalize.Data.Datasets;
using Personalize.Data.Generation;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Testing;

namespace Personalize.Runtime.Tests;

/// <summary>A fresh bucket with a dataset group and a saved model: what the operator would have prepared.</summary>
public static class TestCampaign
{
    public static async Task<RuntimeConfig> CreateAsync(S3Server s3, ModelArtifact? artifact = null)
    {
        var bucket = await s3.CreateBucketAsync();
        var group = new StoreLayout(bucket).DatasetGroup("test", "movies");
        var store = RuntimeServer.Store(s3);
        var model = await TestModels.SaveAsync(store, group, artifact ?? TestModels.Hrnn());
        await StoredSchema.WriteAsync(store, group, ItemsSchema, CancellationToken.None);
        await StoredSchema.WriteAsync(store, group, UsersSchema, CancellationToken.None);
        await StoredSchema.WriteAsync(store, group, InteractionsSchema, CancellationToken.None);
        return RuntimeServer.ConfigFor(group, model);
    }

    /// <summary>The Items schema as the operator or an import would have stored it: what PutItems properties are checked against.</summary>
    public static DatasetSchema ItemsSchema { get; } = DatasetSchema.Create(DatasetTypes.Items,
        new SchemaField(FieldNames.ItemId, FieldType.String, false),
        new SchemaField("GENRE", FieldType.String, true, Categorical: true),
        new SchemaField("LABEL", FieldType.String, true, Categorical: true),
        new SchemaField("PRICE", FieldType.Double, true),
        new SchemaField("RATING", FieldType.Float, true),
        new SchemaField("IN_STOCK", FieldType.Boolean, true),
        new SchemaField(FieldNames.CreationTimestamp, FieldType.Long, true));

    /// <summary>The Interactions schema: what PutEvents properties are checked against (DEVICE is contextual metadata).</summary>
    public static DatasetSchema InteractionsSchema => SyntheticDataGenerator.InteractionsSchema;

    public static DatasetSchema UsersSchema { get; } = DatasetSchema.Create(DatasetTypes.Users,
        new SchemaField(FieldNames.UserId, FieldType.String, false),
        new SchemaField("AGE", FieldType.Int, true),
        new SchemaField("MEMBERSHIP", FieldType.String, false, Categorical: true));
}
