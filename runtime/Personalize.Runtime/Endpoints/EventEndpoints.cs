using Microsoft.AspNetCore.Http.HttpResults;
using Personalize.Data.Schemas;
using Personalize.Runtime.Api;
using Personalize.Runtime.Http;
using Personalize.Runtime.Realtime;
using Personalize.Runtime.Serving;

namespace Personalize.Runtime.Endpoints;

/// <summary>POST /events, /users and /items (personalize-events): validated, durably stored, then acknowledged.</summary>
public static class EventEndpoints
{
    public static async Task<Results<Ok, PersonalizeError>> PutEvents(
        HttpRequest http, CampaignHost host, DatasetSchemas schemas, EventJournal journal, CancellationToken cancellationToken)
    {
        var (request, error) = await JsonBody.ReadAsync<PutEventsRequest>(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (RequestValidation.Validate(request!) is { } problem)
        {
            return PersonalizeError.InvalidInput(problem);
        }

        if (host.State is not { } campaign)
        {
            return PersonalizeError.NotReady($"The campaign is not ready: {host.Status}.");
        }

        if (!campaign.Config.TrackingIds.Contains(request!.TrackingId!))
        {
            return PersonalizeError.NotFound($"trackingId {request.TrackingId} does not belong to an event tracker of this campaign's dataset group.");
        }

        if (await CheckSchemaAsync(schemas, RealtimeApplier.Interactions, "eventList", request.EventList!.Select(e => e.Properties).ToList(), cancellationToken) is { } schemaError)
        {
            return schemaError;
        }

        var records = request.EventList!.Select(e => EventRecords.Interaction(request, e)).ToList();
        return await StoreAsync(journal, records, cancellationToken);
    }

    public static async Task<Results<Ok, PersonalizeError>> PutUsers(
        HttpRequest http, CampaignHost host, DatasetSchemas schemas, EventJournal journal, CancellationToken cancellationToken)
    {
        var (request, error) = await JsonBody.ReadAsync<PutUsersRequest>(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (RequestValidation.Validate(request!) is { } problem)
        {
            return PersonalizeError.InvalidInput(problem);
        }

        if (Dataset(host, request!.DatasetArn!, c => c.Config.UsersDatasetArn, "Users") is { } datasetError)
        {
            return datasetError;
        }

        if (await CheckSchemaAsync(schemas, RealtimeApplier.Users, "users", request.Users!.Select(r => r.Properties).ToList(), cancellationToken) is { } schemaError)
        {
            return schemaError;
        }

        var records = request.Users!.Select(u => EventRecords.Metadata(RealtimeApplier.Users, RealtimeApplier.UserId, u.UserId!, u.Properties)).ToList();
        return await StoreAsync(journal, records, cancellationToken);
    }

    public static async Task<Results<Ok, PersonalizeError>> PutItems(
        HttpRequest http, CampaignHost host, DatasetSchemas schemas, EventJournal journal, CancellationToken cancellationToken)
    {
        var (request, error) = await JsonBody.ReadAsync<PutItemsRequest>(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (RequestValidation.Validate(request!) is { } problem)
        {
            return PersonalizeError.InvalidInput(problem);
        }

        if (Dataset(host, request!.DatasetArn!, c => c.Config.ItemsDatasetArn, "Items") is { } datasetError)
        {
            return datasetError;
        }

        if (await CheckSchemaAsync(schemas, RealtimeApplier.Items, "items", request.Items!.Select(r => r.Properties).ToList(), cancellationToken) is { } schemaError)
        {
            return schemaError;
        }

        var records = request.Items!.Select(i => EventRecords.Metadata(RealtimeApplier.Items, RealtimeApplier.ItemId, i.ItemId!, i.Properties)).ToList();
        return await StoreAsync(journal, records, cancellationToken);
    }

    private static PersonalizeError? Dataset(CampaignHost host, string datasetArn, Func<CampaignState, string?> expected, string type)
    {
        if (host.State is not { } campaign)
        {
            return PersonalizeError.NotReady($"The campaign is not ready: {host.Status}.");
        }

        return expected(campaign) == datasetArn
            ? null
            : PersonalizeError.NotFound($"datasetArn {datasetArn} is not the {type} dataset of this campaign's dataset group.");
    }

    /// <summary>Every record's properties against the dataset's schema: 400 naming the first that does not fit.</summary>
    private static async Task<PersonalizeError?> CheckSchemaAsync(
        DatasetSchemas schemas, string datasetType, string field, List<string?> properties, CancellationToken cancellationToken)
    {
        if (properties.All(p => p is null))
        {
            return null;
        }

        DatasetSchema? schema;
        try
        {
            schema = await schemas.GetAsync(datasetType, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return PersonalizeError.NotReady($"The {datasetType} schema could not be read, so nothing was stored; retry: {e.Message}");
        }

        for (var i = 0; i < properties.Count; i++)
        {
            if (SchemaValidation.Properties($"{field}[{i}].properties", properties[i], schema, datasetType) is { } problem)
            {
                return PersonalizeError.InvalidInput(problem);
            }
        }

        return null;
    }

    /// <summary>200 with an empty body once the records are durable; 503 when the store refused the write.</summary>
    private static async Task<Results<Ok, PersonalizeError>> StoreAsync(EventJournal journal, List<RealtimeRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            await journal.AppendAsync(records, cancellationToken);
            return TypedResults.Ok();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return PersonalizeError.NotReady($"The records could not be stored; nothing was acknowledged, retry: {e.Message}");
        }
    }
}
