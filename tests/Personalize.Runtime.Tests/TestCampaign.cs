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
        var model = await TestModels.SaveAsync(RuntimeServer.Store(s3), group, artifact ?? TestModels.Hrnn());
        return RuntimeServer.ConfigFor(group, model);
    }
}
