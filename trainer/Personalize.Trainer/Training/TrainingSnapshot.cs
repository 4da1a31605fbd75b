using System.IO.Compression;
using System.Text.Json;
using Personalize.Data.Storage;
using Personalize.Models.Training;

namespace Personalize.Trainer.Training;

/// <summary>
/// The data a training trains on, kept beside its checkpoints (gzip JSON): a retry (the Job's, after a SIGTERM, or the
/// operator's restart of a vanished run) trains on exactly what the stopped run read, so the checkpoints still match
/// although real-time events, users or items arrived meanwhile.
/// </summary>
internal static class TrainingSnapshot
{
    private const string Name = "training-data.json.gz";

    public static async Task<TrainingData?> ReadAsync(IObjectStore store, S3Uri checkpoints, CancellationToken cancellationToken)
    {
        Saved? saved;
        try
        {
            await using var stream = await store.OpenReadAsync(checkpoints.AsPrefix().Append(Name), cancellationToken);
            await using var gzip = new GZipStream(stream, CompressionMode.Decompress);
            saved = await JsonSerializer.DeserializeAsync<Saved>(gzip, cancellationToken: cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }

        if (saved is null || saved.Users.Length != saved.Items.Length || saved.Users.Length != saved.Timestamps.Length
            || (saved.Contexts is not null && saved.Contexts.Length != saved.Users.Length))
        {
            throw new InvalidDataException($"{checkpoints.AsPrefix().Append(Name)} is not a training snapshot.");
        }

        return new TrainingData
        {
            Interactions = Enumerable.Range(0, saved.Users.Length).Select(i => new Interaction(saved.Users[i], saved.Items[i], saved.Timestamps[i], saved.Contexts?[i])).ToList(),
            ItemTokens = saved.ItemTokens.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value, StringComparer.Ordinal),
            UserTokens = saved.UserTokens.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value, StringComparer.Ordinal),
            ItemCreation = new Dictionary<string, long>(saved.ItemCreation, StringComparer.Ordinal),
            CatalogueItems = saved.CatalogueItems,
            Impressions = saved.Impressions ?? [],
            ImplicitImpressions = saved.ImplicitImpressions,
            UnresolvedRecommendationIds = saved.UnresolvedRecommendationIds,
            ExcludedInteractions = saved.Excluded?.ToInteractions() ?? [],
            EventsWithoutItem = saved.EventsWithoutItem,
        };
    }

    public static async Task WriteAsync(IObjectStore store, S3Uri checkpoints, TrainingData data, CancellationToken cancellationToken)
    {
        var saved = new Saved(
            [.. data.Interactions.Select(i => i.UserId)],
            [.. data.Interactions.Select(i => i.ItemId)],
            [.. data.Interactions.Select(i => i.Timestamp)],
            data.ItemTokens.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal),
            data.UserTokens.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal),
            new Dictionary<string, long>(data.ItemCreation, StringComparer.Ordinal),
            [.. data.CatalogueItems],
            data.Interactions.Any(i => i.Context is not null) ? [.. data.Interactions.Select(i => i.Context)] : null,
            // Implicit ones especially: their served lists may be past retention by the time a retry reads the store.
            data.Impressions.Count > 0 ? [.. data.Impressions] : null,
            data.ImplicitImpressions,
            data.UnresolvedRecommendationIds,
            // The filtered-out events are their users' history in the served model: a retry must serve them too.
            data.ExcludedInteractions.Count > 0 ? InteractionColumns.From(data.ExcludedInteractions) : null,
            data.EventsWithoutItem);
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            await JsonSerializer.SerializeAsync(gzip, saved, cancellationToken: cancellationToken);
        }

        buffer.Position = 0;
        await store.WriteAsync(checkpoints.AsPrefix().Append(Name), buffer, cancellationToken);
    }

    /// <summary>Interactions as parallel columns: a third of the size of one object per interaction.</summary>
    private sealed record Saved(
        string[] Users,
        string[] Items,
        long[] Timestamps,
        Dictionary<string, string[]> ItemTokens,
        Dictionary<string, string[]> UserTokens,
        Dictionary<string, long> ItemCreation,
        string[] CatalogueItems,
        IReadOnlyDictionary<string, string>?[]? Contexts = null,
        ShownItems[]? Impressions = null,
        long ImplicitImpressions = 0,
        long UnresolvedRecommendationIds = 0,
        InteractionColumns? Excluded = null,
        long EventsWithoutItem = 0);

    /// <summary>Interactions without contexts as parallel columns.</summary>
    private sealed record InteractionColumns(string[] Users, string[] Items, long[] Timestamps)
    {
        public static InteractionColumns From(IReadOnlyList<Interaction> interactions) =>
            new([.. interactions.Select(i => i.UserId)], [.. interactions.Select(i => i.ItemId)], [.. interactions.Select(i => i.Timestamp)]);

        public List<Interaction> ToInteractions() =>
            Users.Length == Items.Length && Users.Length == Timestamps.Length
                ? [.. Enumerable.Range(0, Users.Length).Select(i => new Interaction(Users[i], Items[i], Timestamps[i], null))]
                : throw new InvalidDataException("A training snapshot's excluded interactions have columns of different lengths.");
    }
}
