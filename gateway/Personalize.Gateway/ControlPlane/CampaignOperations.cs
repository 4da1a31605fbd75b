using System.Text.Json.Nodes;
using Personalize.Api;
using Personalize.Gateway.Protocol;

namespace Personalize.Gateway.ControlPlane;

/// <summary>Campaigns and batch inference jobs: what serves or scores a solution version.</summary>
public static class CampaignOperations
{
    public static async Task<JsonObject> CreateCampaignAsync(Call call)
    {
        var version = SolutionOperations.ResolveVersion(call, "solutionVersionArn");
        var tps = call.Request.Int("minProvisionedTPS") ?? 1;
        if (tps < 1)
        {
            throw PersonalizeException.InvalidInput("minProvisionedTPS must be at least 1.");
        }

        var campaign = new Campaign();
        campaign.Spec.SolutionVersionRef.Name = version.Metadata.Name;
        campaign.Spec.MinProvisionedTPS = tps;
        campaign.Spec.CampaignConfig = call.Request.As<CampaignConfig>("campaignConfig");
        campaign.Spec.Tags = call.TagMap();
        var created = await call.CreateAsync(campaign, call.Request.Required("name"), "name");
        return new JsonObject { ["campaignArn"] = ResourceArns.Of(created) };
    }

    public static JsonObject DescribeCampaign(Call call)
    {
        var campaign = call.Find<Campaign>("campaignArn");
        var update = campaign.Status.LatestCampaignUpdate;
        return new JsonObject
        {
            ["campaign"] = Shapes.Common(campaign, "campaignArn").With(
                ("solutionVersionArn", call.Arns.For<SolutionVersion>(campaign.Status.ServingSolutionVersion ?? campaign.Spec.SolutionVersionRef.Name)),
                ("minProvisionedTPS", campaign.Spec.MinProvisionedTPS ?? 1),
                ("campaignConfig", Shapes.Node(campaign.Spec.CampaignConfig)),
                ("latestCampaignUpdate", update is null ? null : new JsonObject
                {
                    ["solutionVersionArn"] = call.Arns.For<SolutionVersion>(update.SolutionVersion ?? campaign.Spec.SolutionVersionRef.Name),
                    ["minProvisionedTPS"] = update.MinProvisionedTPS ?? campaign.Spec.MinProvisionedTPS ?? 1,
                    ["status"] = update.Phase ?? Phases.CreatePending,
                    ["creationDateTime"] = Shapes.Seconds(Shapes.UpdatedOf(campaign)),
                    ["lastUpdatedDateTime"] = Shapes.Seconds(Shapes.UpdatedOf(campaign)),
                }.With(("failureReason", update.FailureReason)))),
        };
    }

    public static JsonObject ListCampaigns(Call call)
    {
        var solution = call.FilterName<Solution>("solutionArn");
        return Paging.Page(call.Request, call.List<Campaign>().Where(c => solution is null || SolutionOf(call, c) == solution),
            Shapes.CreatedOf, PersonalizeNames.Of, "campaigns", c => Shapes.Common(c, "campaignArn"));
    }

    /// <summary>Personalize allows an update of an ACTIVE or CREATE FAILED campaign; the old version serves until the new one does.</summary>
    public static async Task<JsonObject> UpdateCampaignAsync(Call call)
    {
        var campaign = call.Find<Campaign>("campaignArn");
        if (campaign.Status.Phase is not (Phases.Active or Phases.CreateFailed))
        {
            throw PersonalizeException.InUse($"{ResourceArns.Of(campaign)} is {Shapes.StatusOf(campaign)}; it can be updated once ACTIVE or CREATE FAILED.");
        }

        var version = call.Request.String("solutionVersionArn") is null ? null : SolutionOperations.ResolveVersion(call, "solutionVersionArn");
        var tps = call.Request.Int("minProvisionedTPS");
        if (tps < 1)
        {
            throw PersonalizeException.InvalidInput("minProvisionedTPS must be at least 1.");
        }

        var config = call.Request.As<CampaignConfig>("campaignConfig");
        var updated = await call.UpdateSpecAsync(campaign, c =>
        {
            c.Spec.SolutionVersionRef.Name = version?.Metadata.Name ?? c.Spec.SolutionVersionRef.Name;
            c.Spec.MinProvisionedTPS = tps ?? c.Spec.MinProvisionedTPS;
            c.Spec.CampaignConfig = config ?? c.Spec.CampaignConfig;
        });
        return new JsonObject { ["campaignArn"] = ResourceArns.Of(updated) };
    }

    public static Task<JsonObject> DeleteCampaignAsync(Call call) => call.DeleteAsync(call.Find<Campaign>("campaignArn"));

    public static async Task<JsonObject> CreateBatchInferenceJobAsync(Call call)
    {
        var version = SolutionOperations.ResolveVersion(call, "solutionVersionArn");
        call.Request.Required("roleArn");
        var job = new BatchInferenceJob();
        job.Spec.SolutionVersionRef.Name = version.Metadata.Name;
        job.Spec.JobInput.S3DataSource.Path = S3Path(call, "jobInput", "s3DataSource");
        job.Spec.JobOutput.S3DataDestination.Path = S3Path(call, "jobOutput", "s3DataDestination");
        job.Spec.FilterRef = call.Request.String("filterArn") is { } filterArn ? new ResourceRef { Name = call.Arns.Find<Filter>("filterArn", filterArn).Metadata.Name } : null;
        job.Spec.NumResults = call.Request.Int("numResults") is { } count
            ? count is >= 1 and <= Validation.MaxNumResults ? count : throw PersonalizeException.InvalidInput($"numResults must be between 1 and {Validation.MaxNumResults}.")
            : null;
        job.Spec.BatchInferenceJobConfig = call.Request.As<BatchInferenceJobConfig>("batchInferenceJobConfig");
        if (call.Request.String("batchInferenceJobMode") is { } mode and not "BATCH_INFERENCE")
        {
            throw PersonalizeException.InvalidInput($"batchInferenceJobMode '{mode}' is not supported: BATCH_INFERENCE.");
        }

        job.Spec.Tags = call.TagMap();
        var created = await call.CreateAsync(job, call.Request.Required("jobName"), "jobName");
        return new JsonObject { ["batchInferenceJobArn"] = ResourceArns.Of(created) };
    }

    public static JsonObject DescribeBatchInferenceJob(Call call)
    {
        var job = call.Find<BatchInferenceJob>("batchInferenceJobArn");
        return new JsonObject
        {
            ["batchInferenceJob"] = BatchShape(call, job).With(
                ("jobInput", new JsonObject { ["s3DataSource"] = new JsonObject { ["path"] = job.Spec.JobInput.S3DataSource.Path } }),
                ("jobOutput", new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = job.Spec.JobOutput.S3DataDestination.Path } }),
                ("numResults", job.Spec.NumResults ?? 25),
                ("filterArn", job.Spec.FilterRef is { } filter ? call.Arns.For<Filter>(filter.Name) : null),
                ("batchInferenceJobConfig", Shapes.Node(job.Spec.BatchInferenceJobConfig))),
        };
    }

    public static JsonObject ListBatchInferenceJobs(Call call)
    {
        var version = call.FilterName<SolutionVersion>("solutionVersionArn");
        return Paging.Page(call.Request, call.List<BatchInferenceJob>().Where(j => version is null || j.Spec.SolutionVersionRef.Name == version),
            Shapes.CreatedOf, PersonalizeNames.Of, "batchInferenceJobs", j => BatchShape(call, j));
    }

    private static JsonObject BatchShape(Call call, BatchInferenceJob job) =>
        Shapes.Common(job, "batchInferenceJobArn", nameField: "jobName").With(
            ("solutionVersionArn", call.Arns.For<SolutionVersion>(job.Spec.SolutionVersionRef.Name)),
            ("batchInferenceJobMode", "BATCH_INFERENCE"));

    private static string? SolutionOf(Call call, Campaign campaign) =>
        call.Store.Get<SolutionVersion>(call.Namespace, campaign.Spec.SolutionVersionRef.Name)?.Spec.SolutionRef.Name;

    private static string S3Path(Call call, string field, string inner)
    {
        var path = call.Request.Object(field)?[inner]?["path"]?.GetValue<string>() ?? throw PersonalizeException.InvalidInput($"{field}.{inner}.path is required.");
        return System.Text.RegularExpressions.Regex.IsMatch(path, Validation.S3UriPattern)
            ? path
            : throw PersonalizeException.InvalidInput($"{field}.{inner}.path '{path}' is not an s3://bucket/key location.");
    }
}
