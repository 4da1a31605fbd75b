using System.Text.Json.Nodes;
using Personalize.Gateway.Protocol;

namespace Personalize.Gateway.ControlPlane;

/// <summary>The control plane as a table: each `X-Amz-Target: AmazonPersonalize.&lt;Operation&gt;` and what serves it.</summary>
public static class Operations
{
    private static readonly Dictionary<string, Func<Call, Task<JsonObject>>> Table = new(StringComparer.Ordinal)
    {
        ["ListRecipes"] = Sync(RecipeOperations.ListRecipes),
        ["DescribeRecipe"] = Sync(RecipeOperations.DescribeRecipe),

        ["CreateDatasetGroup"] = DatasetOperations.CreateDatasetGroupAsync,
        ["DescribeDatasetGroup"] = Sync(DatasetOperations.DescribeDatasetGroup),
        ["ListDatasetGroups"] = Sync(DatasetOperations.ListDatasetGroups),
        ["DeleteDatasetGroup"] = DatasetOperations.DeleteDatasetGroupAsync,
        ["CreateSchema"] = DatasetOperations.CreateSchemaAsync,
        ["DescribeSchema"] = Sync(DatasetOperations.DescribeSchema),
        ["ListSchemas"] = Sync(DatasetOperations.ListSchemas),
        ["DeleteSchema"] = DatasetOperations.DeleteSchemaAsync,
        ["CreateDataset"] = DatasetOperations.CreateDatasetAsync,
        ["DescribeDataset"] = Sync(DatasetOperations.DescribeDataset),
        ["ListDatasets"] = Sync(DatasetOperations.ListDatasets),
        ["DeleteDataset"] = DatasetOperations.DeleteDatasetAsync,
        ["CreateDatasetImportJob"] = DatasetOperations.CreateDatasetImportJobAsync,
        ["DescribeDatasetImportJob"] = Sync(DatasetOperations.DescribeDatasetImportJob),
        ["ListDatasetImportJobs"] = Sync(DatasetOperations.ListDatasetImportJobs),

        ["CreateSolution"] = SolutionOperations.CreateSolutionAsync,
        ["DescribeSolution"] = Sync(SolutionOperations.DescribeSolution),
        ["ListSolutions"] = Sync(SolutionOperations.ListSolutions),
        ["UpdateSolution"] = SolutionOperations.UpdateSolutionAsync,
        ["DeleteSolution"] = SolutionOperations.DeleteSolutionAsync,
        ["CreateSolutionVersion"] = SolutionOperations.CreateSolutionVersionAsync,
        ["DescribeSolutionVersion"] = Sync(SolutionOperations.DescribeSolutionVersion),
        ["ListSolutionVersions"] = Sync(SolutionOperations.ListSolutionVersions),
        ["StopSolutionVersionCreation"] = SolutionOperations.StopSolutionVersionCreationAsync,
        ["GetSolutionMetrics"] = Sync(SolutionOperations.GetSolutionMetrics),

        ["CreateCampaign"] = CampaignOperations.CreateCampaignAsync,
        ["DescribeCampaign"] = Sync(CampaignOperations.DescribeCampaign),
        ["ListCampaigns"] = Sync(CampaignOperations.ListCampaigns),
        ["UpdateCampaign"] = CampaignOperations.UpdateCampaignAsync,
        ["DeleteCampaign"] = CampaignOperations.DeleteCampaignAsync,
        ["CreateBatchInferenceJob"] = CampaignOperations.CreateBatchInferenceJobAsync,
        ["DescribeBatchInferenceJob"] = Sync(CampaignOperations.DescribeBatchInferenceJob),
        ["ListBatchInferenceJobs"] = Sync(CampaignOperations.ListBatchInferenceJobs),

        ["CreateEventTracker"] = TrackerOperations.CreateEventTrackerAsync,
        ["DescribeEventTracker"] = Sync(TrackerOperations.DescribeEventTracker),
        ["ListEventTrackers"] = Sync(TrackerOperations.ListEventTrackers),
        ["DeleteEventTracker"] = TrackerOperations.DeleteEventTrackerAsync,
        ["CreateFilter"] = TrackerOperations.CreateFilterAsync,
        ["DescribeFilter"] = Sync(TrackerOperations.DescribeFilter),
        ["ListFilters"] = Sync(TrackerOperations.ListFilters),
        ["DeleteFilter"] = TrackerOperations.DeleteFilterAsync,
    };

    public static bool Serves(string operation) => Table.ContainsKey(operation);

    /// <summary>Serves the operation, after refusing any member it sets that this installation would otherwise drop.</summary>
    public static Task<JsonObject> InvokeAsync(string operation, Call call)
    {
        if (!Table.TryGetValue(operation, out var handler))
        {
            throw PersonalizeException.UnknownOperation($"AmazonPersonalize.{operation} is not an operation this service supports.");
        }

        UnsupportedMembers.ThrowIfSet(operation, call.Request);
        return handler(call);
    }

    private static Func<Call, Task<JsonObject>> Sync(Func<Call, JsonObject> handler) => call => Task.FromResult(handler(call));
}
