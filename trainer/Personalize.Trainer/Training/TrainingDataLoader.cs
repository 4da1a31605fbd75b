using System.Globalization;
using Personalize.Data.Datasets;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using ModelInteraction = Personalize.Models.Training.Interaction;

namespace Personalize.Trainer.Training;

/// <summary>
/// Reads a dataset group (bulk + real-time) into TrainingData: interactions filtered by eventType (case-insensitive,
/// as Personalize matches event types) and eventValueThreshold (events without a value are dropped when a threshold
/// is set), the events left out kept apart for the served histories, each kept event's categorical context columns and
/// impressions (its IMPRESSION, else the list its RECOMMENDATION_ID names in the served-lists log), and the categorical
/// metadata of users and items as "FIELD=value" tokens.
/// </summary>
internal static class TrainingDataLoader
{
    public static async Task<TrainingData> LoadAsync(IObjectStore store, S3Uri datasetGroup, string? eventType, string? eventValueThreshold, CancellationToken cancellationToken)
    {
        float? threshold = null;
        if (!string.IsNullOrEmpty(eventValueThreshold))
        {
            threshold = float.TryParse(eventValueThreshold, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new InvalidDataException($"solutionConfig.eventValueThreshold \"{eventValueThreshold}\" is not a number.");
        }

        var reader = new DatasetReader(store, datasetGroup.AsPrefix());
        var contextFields = (await reader.ReadSchemaAsync(DatasetTypes.Interactions, cancellationToken))?.Fields
            .Where(f => f.Categorical).Select(f => f.Name).ToList() ?? [];
        var interactions = new List<ModelInteraction>();
        var excluded = new List<ModelInteraction>();
        var impressions = new List<ShownItems>();
        // Kept events that name a recommendation and no impression: resolved against the served lists once all are read.
        var implicitImpressions = new List<(ShownItems Event, string? SessionId, string RecommendationId)>();
        await foreach (var interaction in reader.ReadInteractionsAsync(includeRealtime: true, cancellationToken))
        {
            var kept = (eventType is null || string.Equals(interaction.EventType, eventType, StringComparison.OrdinalIgnoreCase))
                && (threshold is not { } minimum || (interaction.EventValue is { } eventValue && eventValue >= minimum));
            if (!kept)
            {
                // Left-out events are only their users' history in the served model: their context shapes nothing.
                excluded.Add(new ModelInteraction(interaction.UserId, interaction.ItemId, interaction.Timestamp));
                continue;
            }

            interactions.Add(new ModelInteraction(interaction.UserId, interaction.ItemId, interaction.Timestamp, Context(contextFields, interaction.Context)));
            if (FieldNames.SplitMultiValue(interaction.Impression) is { Length: > 0 } shown)
            {
                impressions.Add(new ShownItems(interaction.UserId, interaction.ItemId, shown));
            }
            else if (interaction.RecommendationId is { Length: > 0 } recommendationId)
            {
                implicitImpressions.Add((new ShownItems(interaction.UserId, interaction.ItemId, []), interaction.Context.GetValueOrDefault(FieldNames.SessionId), recommendationId));
            }
        }

        // Personalize: an event with a recommendationId and no impression was shown that recommendation's items.
        var served = await ServedRecommendations.ReadAsync(store, datasetGroup.AsPrefix(), implicitImpressions.Select(e => e.RecommendationId).ToHashSet(StringComparer.Ordinal), cancellationToken);
        var resolved = 0L;
        foreach (var (shownEvent, sessionId, recommendationId) in implicitImpressions)
        {
            if (served.GetValueOrDefault(recommendationId) is { } list && list.ShownTo(shownEvent.UserId, sessionId))
            {
                impressions.Add(shownEvent with { Items = list.Items });
                resolved++;
            }
        }

        var itemSchema = await reader.ReadSchemaAsync(DatasetTypes.Items, cancellationToken);
        var itemTokens = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var creation = new Dictionary<string, long>(StringComparer.Ordinal);
        var catalogue = new List<string>();
        if (itemSchema is not null)
        {
            await foreach (var item in reader.ReadItemsAsync(cancellationToken))
            {
                catalogue.Add(item.ItemId);
                itemTokens[item.ItemId] = Tokens(itemSchema, item.Fields);
                if (item.CreationTimestamp is { } created)
                {
                    creation[item.ItemId] = created;
                }
            }
        }

        var userSchema = await reader.ReadSchemaAsync(DatasetTypes.Users, cancellationToken);
        var userTokens = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (userSchema is not null)
        {
            await foreach (var user in reader.ReadUsersAsync(cancellationToken))
            {
                userTokens[user.UserId] = Tokens(userSchema, user.Fields);
            }
        }

        return new TrainingData
        {
            Interactions = interactions,
            ExcludedInteractions = excluded,
            Impressions = impressions,
            ImplicitImpressions = resolved,
            UnresolvedRecommendationIds = implicitImpressions.Count - resolved,
            EventsWithoutItem = reader.EventsWithoutItem,
            ItemTokens = itemTokens,
            UserTokens = userTokens,
            ItemCreation = creation,
            CatalogueItems = catalogue,
        };
    }

    /// <summary>The event's categorical context columns that have a value (DEVICE, LOCATION, ...), or null.</summary>
    private static Dictionary<string, string>? Context(List<string> fields, IReadOnlyDictionary<string, string?> columns)
    {
        Dictionary<string, string>? context = null;
        foreach (var field in fields)
        {
            if (columns.GetValueOrDefault(field) is { Length: > 0 } value)
            {
                (context ??= new Dictionary<string, string>(StringComparer.Ordinal))[field] = value;
            }
        }

        return context;
    }

    /// <summary>Categorical fields become one token per value; other fields (numbers, text) are not used as tokens.</summary>
    private static List<string> Tokens(DatasetSchema schema, IReadOnlyDictionary<string, object?> fields) =>
        schema.Fields.Where(f => f.Categorical && fields.ContainsKey(f.Name))
            .SelectMany(f => FieldNames.SplitMultiValue(Convert.ToString(fields[f.Name], CultureInfo.InvariantCulture)).Select(v => $"{f.Name}={v}"))
            .ToList();
}
