using System.Text.Json.Nodes;
using Personalize.Api;
using Personalize.Gateway.Protocol;
using Personalize.Models.Filters;
using Personalize.Operator.Controllers.Reconcilers;

namespace Personalize.Gateway.ControlPlane;

/// <summary>Event trackers and filters: what a dataset group's runtime calls name by trackingId and filterArn.</summary>
public static class TrackerOperations
{
    /// <summary>Personalize's quota of filters per dataset group.</summary>
    public const int MaxFiltersPerGroup = 10;

    public static async Task<JsonObject> CreateEventTrackerAsync(Call call)
    {
        var group = call.Find<DatasetGroup>("datasetGroupArn");
        if (call.List<EventTracker>().FirstOrDefault(t => t.Spec.DatasetGroupRef.Name == group.Metadata.Name) is { } rival)
        {
            throw PersonalizeException.AlreadyExists($"Dataset group {PersonalizeNames.Of(group)} already has an event tracker ({ResourceArns.Of(rival)}); a group has one.");
        }

        var tracker = new EventTracker();
        tracker.Spec.DatasetGroupRef.Name = group.Metadata.Name;
        tracker.Spec.Tags = call.TagMap();
        var created = await call.CreateAsync(tracker, call.Request.Required("name"), "name");
        return new JsonObject { ["eventTrackerArn"] = ResourceArns.Of(created), ["trackingId"] = TrackingIdOf(created) };
    }

    /// <summary>The operator gives a tracker its uid as trackingId; before its first reconcile the uid is already it.</summary>
    public static string TrackingIdOf(EventTracker tracker) => tracker.Status.TrackingId ?? tracker.Metadata.Uid ?? string.Empty;

    public static JsonObject DescribeEventTracker(Call call)
    {
        var tracker = call.Find<EventTracker>("eventTrackerArn");
        return new JsonObject
        {
            ["eventTracker"] = Shapes.Common(tracker, "eventTrackerArn").With(
                ("trackingId", TrackingIdOf(tracker)),
                ("datasetGroupArn", call.Arns.For<DatasetGroup>(tracker.Spec.DatasetGroupRef.Name)),
                ("accountId", call.Namespace)),
        };
    }

    public static JsonObject ListEventTrackers(Call call)
    {
        var group = call.FilterName<DatasetGroup>("datasetGroupArn");
        return Paging.Page(call.Request, call.List<EventTracker>().Where(t => group is null || t.Spec.DatasetGroupRef.Name == group),
            Shapes.CreatedOf, PersonalizeNames.Of, "eventTrackers", t => Shapes.Common(t, "eventTrackerArn"));
    }

    public static Task<JsonObject> DeleteEventTrackerAsync(Call call) => call.DeleteAsync(call.Find<EventTracker>("eventTrackerArn"));

    public static async Task<JsonObject> CreateFilterAsync(Call call)
    {
        var group = call.Find<DatasetGroup>("datasetGroupArn");
        var expression = call.Request.Required("filterExpression");
        if (expression.Length > 2500)
        {
            throw PersonalizeException.InvalidInput("filterExpression: at most 2500 characters.");
        }

        if (!FilterExpression.TryParse(expression, out var parsed, out var error))
        {
            throw PersonalizeException.InvalidInput(error.Message);
        }

        // Fields of a dataset the group does not have yet are checked by the operator once it has it.
        if (FilterController.CheckFields(call.Store, call.Namespace, group.Metadata.Name, parsed).Problem is { } problem)
        {
            throw PersonalizeException.InvalidInput(problem);
        }

        if (call.List<Filter>().Count(f => f.Spec.DatasetGroupRef.Name == group.Metadata.Name && f.Metadata.DeletionTimestamp is null) >= MaxFiltersPerGroup)
        {
            throw PersonalizeException.LimitExceeded($"Dataset group {PersonalizeNames.Of(group)} has {MaxFiltersPerGroup} filters, the most a group may have; delete one first.");
        }

        var filter = new Filter();
        filter.Spec.DatasetGroupRef.Name = group.Metadata.Name;
        filter.Spec.FilterExpression = expression;
        filter.Spec.Tags = call.TagMap();
        var created = await call.CreateAsync(filter, call.Request.Required("name"), "name");
        return new JsonObject { ["filterArn"] = ResourceArns.Of(created) };
    }

    public static JsonObject DescribeFilter(Call call)
    {
        var filter = call.Find<Filter>("filterArn");
        return new JsonObject { ["filter"] = FilterShape(call, filter).With(("filterExpression", filter.Spec.FilterExpression)) };
    }

    public static JsonObject ListFilters(Call call)
    {
        var group = call.FilterName<DatasetGroup>("datasetGroupArn");
        // botocore's model spells this list with a capital F.
        return Paging.Page(call.Request, call.List<Filter>().Where(f => group is null || f.Spec.DatasetGroupRef.Name == group),
            Shapes.CreatedOf, PersonalizeNames.Of, "Filters", f => FilterShape(call, f));
    }

    public static Task<JsonObject> DeleteFilterAsync(Call call) => call.DeleteAsync(call.Find<Filter>("filterArn"));

    private static JsonObject FilterShape(Call call, Filter filter) =>
        Shapes.Common(filter, "filterArn").With(("datasetGroupArn", call.Arns.For<DatasetGroup>(filter.Spec.DatasetGroupRef.Name)));
}
