using Personalize.Api;
using Personalize.Gateway.ControlPlane;
using Personalize.Testing;
using Xunit;

namespace Personalize.Gateway.Tests;

/// <summary>boto3's `personalize` client against the gateway over the folder store: shapes, names, ARNs, paging, errors.</summary>
public sealed class ControlPlaneTests
{
    [Fact]
    public async Task Boto3ControlPlane_CreatesDescribesListsAndDeletes_TheStoresResources_AndRaisesPersonalizesExceptions()
    {
        await using var gateway = await FolderGateway.StartAsync(new GatewayOptions());
        var seen = await Boto3.RunAsync("control_plane.py", [gateway.Endpoint], TimeSpan.FromMinutes(2));

        Assert.Contains("arn:aws:personalize:::recipe/aws-hrnn", seen["recipes"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(RecipeTypes.RelatedItems, seen["simsType"]!.GetValue<string>());
        Assert.Contains("arn:aws:personalize:::recipe/aws-trending-now", seen["recipes"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(RecipeTypes.UserPersonalization, seen["currentRecipeTypes"]!["aws-user-personalization"]!.GetValue<string>());
        Assert.Equal(RecipeTypes.RelatedItems, seen["currentRecipeTypes"]!["aws-similar-items"]!.GetValue<string>());
        Assert.Equal(RecipeTypes.PopularItems, seen["currentRecipeTypes"]!["aws-trending-now"]!.GetValue<string>());

        // Upper case and '_' survive in what the API returns; the object has the mapped name, the label and the annotation.
        Assert.Equal("arn:k8s:personalize:default::dataset-group/retail-shop", seen["group"]!["arn"]!.GetValue<string>());
        Assert.Equal("Retail_Shop", seen["group"]!["name"]!.GetValue<string>());
        Assert.Equal(Phases.CreatePending, seen["group"]!["status"]!.GetValue<string>());
        Assert.True(seen["group"]!["createdIsDatetime"]!.GetValue<bool>());
        Assert.Equal(DateTime.UtcNow.Year, seen["group"]!["createdYear"]!.GetValue<int>());
        var group = gateway.Store.Get<DatasetGroup>("default", "retail-shop")!;
        Assert.Equal("Retail_Shop", group.Metadata.Annotations[PersonalizeNames.NameAnnotation]);
        Assert.Equal(PersonalizeNames.ManagedByValue, group.Metadata.Labels[PersonalizeNames.ManagedByLabel]);
        Assert.True(File.Exists(Path.Combine(gateway.StateFolder, "created", "DatasetGroup", "default", "retail-shop.yaml")), "the created resource outlives a restart of local mode");

        Assert.Equal("INTERACTIONS", seen["datasetType"]!.GetValue<string>());
        Assert.Equal("Interactions", gateway.Store.Get<Dataset>("default", "retail-interactions")!.Spec.DatasetType);
        Assert.Equal(["Import_1"], seen["importJobs"]!.AsArray().Select(j => j!.GetValue<string>()));

        // {solutionArn}/$LATEST resolved to the version; TPS kept.
        Assert.Equal(seen["campaign"]!["version"]!.GetValue<string>(), seen["campaign"]!["solutionVersionArn"]!.GetValue<string>());
        Assert.Equal(10, seen["campaign"]!["tps"]!.GetValue<int>());
        Assert.Equal("Shop_Campaign", seen["campaign"]!["name"]!.GetValue<string>());
        Assert.Equal(["Shop_Campaign"], seen["campaignsOfSolution"]!.AsArray().Select(c => c!.GetValue<string>()));

        var trackingId = seen["trackingId"]!.GetValue<string>();
        Assert.True(Guid.TryParse(trackingId, out _));
        Assert.Equal(trackingId, seen["trackerDescribed"]!.GetValue<string>());
        Assert.Equal(5, seen["batchNumResults"]!.GetValue<int>());
        Assert.Equal([4, 4, 2], seen["filterPages"]!.AsArray().Select(p => p!.GetValue<int>()));
        Assert.True(seen["autoTraining"]!.GetValue<bool>());
        Assert.True(gateway.Store.Get<Solution>("default", "hrnn-solution")!.Spec.PerformAutoTraining);
        Assert.Equal(["Hrnn_Solution"], seen["solutionsOfGroup"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Single(seen["versionsOfSolution"]!.AsArray());

        var errors = seen["errors"]!;
        Assert.StartsWith("ResourceNotFoundException: campaignArn", errors["notFound"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("ResourceAlreadyExistsException: A dataset-group named Retail_Shop", errors["sameName"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("ResourceAlreadyExistsException: The dataset-group name retail-shop maps to the object name retail-shop", errors["collision"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidInputException: datasetType 'Actions'", errors["badType"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidInputException: filterExpression", errors["badFilter"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("ResourceInUseException: arn:k8s:personalize:default::dataset-group/retail-shop is in use by", errors["groupInUse"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("ResourceInUseException:", errors["updateNotActive"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("LimitExceededException: Dataset group Retail_Shop has 10 filters", errors["eleventhFilter"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("ResourceInUseException:", errors["metricsNotActive"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidNextTokenException:", errors["badToken"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidInputException: solutionArn", errors["wrongArnType"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.StartsWith("ResourceNotFoundException:", seen["deletedFilter"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(gateway.Store.Get<Filter>("default", "filter-0"));
        // A solution is not deleted while a campaign serves a version or one trains; a stop is the version's spec.stop,
        // which the operator carries out (SolutionVersionStopTests), and until then the version still trains.
        Assert.StartsWith("ResourceInUseException:", seen["solutionWithCampaign"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("ResourceInUseException:", seen["solutionTraining"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(seen["stoppedVersionKept"]!.GetValue<bool>());
        var stopped = gateway.Store.List<SolutionVersion>("default").Single(v => v.Spec.SolutionRef.Name == "sims-solution");
        Assert.True(stopped.Spec.Stop);
        Assert.StartsWith("ResourceInUseException:", seen["solutionStopping"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["Hrnn_Solution", "Sims_Solution"], seen["solutionsAfterDelete"]!.AsArray().Select(s => s!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(2, seen["versionsAfterDelete"]!.GetValue<int>());
        Assert.Empty(seen["campaignsAfterDelete"]!.AsArray());
        Assert.Null(gateway.Store.Get<Campaign>("default", "shop-campaign"));
    }
}
