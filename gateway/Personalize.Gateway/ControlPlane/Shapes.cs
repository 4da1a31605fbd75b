using System.Text.Json;
using System.Text.Json.Nodes;
using Personalize.Api;

namespace Personalize.Gateway.ControlPlane;

/// <summary>
/// The fields every Personalize response shape shares, read from a resource: status in Personalize's words,
/// `creationDateTime` / `lastUpdatedDateTime` as epoch seconds (botocore parses those into datetimes), and
/// `failureReason` when there is one.
/// </summary>
public static class Shapes
{
    public static string StatusOf(IPersonalizeResource resource) =>
        resource.Metadata.DeletionTimestamp is not null ? Phases.DeletePending : resource.CommonStatus.Phase ?? Phases.CreatePending;

    public static DateTimeOffset CreatedOf(IPersonalizeResource resource) =>
        resource.CommonStatus.CreationDateTime
        ?? (resource.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch);

    public static DateTimeOffset UpdatedOf(IPersonalizeResource resource) =>
        resource.CommonStatus.LastUpdatedDateTime
        ?? resource.CommonStatus.Conditions.Select(c => (DateTimeOffset?)c.LastTransitionTime).Max()
        ?? CreatedOf(resource);

    public static double Seconds(DateTimeOffset time) => Math.Round(time.ToUnixTimeMilliseconds() / 1000.0, 3);

    /// <summary>name, the ARN under <paramref name="arnField"/>, status, times and failureReason.</summary>
    public static JsonObject Common(IPersonalizeResource resource, string arnField, string nameField = "name", bool withStatus = true)
    {
        var shape = new JsonObject
        {
            [nameField] = PersonalizeNames.Of(resource),
            [arnField] = ResourceArns.Of(resource),
        };
        if (withStatus)
        {
            shape["status"] = StatusOf(resource);
        }

        shape["creationDateTime"] = Seconds(CreatedOf(resource));
        shape["lastUpdatedDateTime"] = Seconds(UpdatedOf(resource));
        if (resource.CommonStatus.FailureReason is { Length: > 0 } reason)
        {
            shape["failureReason"] = reason;
        }

        return shape;
    }

    /// <summary>A spec object as Personalize JSON (the resource classes use Personalize's field names).</summary>
    public static JsonNode? Node<T>(T? value)
        where T : class => value is null ? null : JsonSerializer.SerializeToNode(value, Options);

    /// <summary>Adds the fields that have a value.</summary>
    public static JsonObject With(this JsonObject shape, params (string Name, JsonNode? Value)[] fields)
    {
        foreach (var (name, value) in fields)
        {
            if (value is not null)
            {
                shape[name] = value;
            }
        }

        return shape;
    }

    private static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}
