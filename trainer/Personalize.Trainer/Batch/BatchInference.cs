using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Personalize.Data.Storage;
using Personalize.Models.Filters;
using Personalize.Models.Scoring;

namespace Personalize.Trainer.Batch;

/// <summary>What one batch run did.</summary>
internal sealed record BatchCounts(long LinesRead, long LinesFailed, IReadOnlyList<string> Outputs);

/// <summary>
/// Batch inference over JSON-lines files: each input line is answered by the same IRecommender the runtime serves
/// and written, in input order, to `&lt;input-file-name&gt;.out` as {"input", "output", "error"}. A bad line gets an
/// error line and the job goes on. Lines stream through a local spool file, so memory does not grow with input.
/// </summary>
internal sealed class BatchInference(IRecommender recommender, IObjectStore store, int numResults, BatchFilter? filter, ItemExploration? exploration)
{
    private static readonly JsonSerializerOptions OneLine = new() { WriteIndented = false };

    public async Task<BatchCounts> RunAsync(S3Uri input, S3Uri outputPrefix, CancellationToken cancellationToken)
    {
        var files = new List<S3Uri>();
        if (input.IsPrefix)
        {
            await foreach (var entry in store.ListAsync(input, cancellationToken))
            {
                files.Add(entry.Uri);
            }
        }
        else
        {
            files.Add(input);
        }

        if (files.Count == 0)
        {
            throw new InvalidDataException($"batchInference.inputPath {input}: no input files under this prefix.");
        }

        long read = 0;
        long failed = 0;
        var outputs = new List<string>();
        foreach (var file in files)
        {
            var spool = Path.GetTempFileName();
            try
            {
                await using (var source = await store.OpenReadAsync(file, cancellationToken))
                using (var reader = new StreamReader(source, Encoding.UTF8))
                await using (var writer = new StreamWriter(spool, append: false, new UTF8Encoding(false)))
                {
                    while (await reader.ReadLineAsync(cancellationToken) is { } line)
                    {
                        if (string.IsNullOrWhiteSpace(line))
                        {
                            continue;
                        }

                        read++;
                        var answer = await AnswerAsync(line, cancellationToken);
                        if (answer["error"] is not null)
                        {
                            failed++;
                        }

                        await writer.WriteLineAsync(answer.ToJsonString(OneLine));
                    }
                }

                var output = outputPrefix.AsPrefix().Append(file.Name + ".out");
                await using (var spooled = File.OpenRead(spool))
                {
                    await store.WriteAsync(output, spooled, cancellationToken);
                }

                outputs.Add(output.ToString());
            }
            finally
            {
                File.Delete(spool);
            }
        }

        return new BatchCounts(read, failed, outputs);
    }

    /// <summary>One output line; never throws for bad input.</summary>
    public async ValueTask<JsonObject> AnswerAsync(string line, CancellationToken cancellationToken = default)
    {
        JsonNode? input;
        try
        {
            input = JsonNode.Parse(line);
        }
        catch (JsonException e)
        {
            return Line(JsonValue.Create(line), null, $"The line is not JSON: {e.Message}");
        }

        if (input is not JsonObject request)
        {
            return Line(input?.DeepClone(), null, "The line must be a JSON object such as {\"userId\":\"42\"}.");
        }

        try
        {
            var items = await RecommendAsync(request, cancellationToken);
            var output = new JsonObject { ["recommendedItems"] = new JsonArray(items.Select(i => (JsonNode?)JsonValue.Create(i.ItemId)).ToArray()) };
            if (recommender.ReturnsScores)
            {
                output["scores"] = new JsonArray(items.Select(i => i.Score is { } score ? (JsonNode?)JsonValue.Create(Math.Round(score, 7)) : null).ToArray());
            }

            return Line(request.DeepClone(), output, null);
        }
        catch (Exception e) when (e is BatchLineException or FilterValueException or InvalidOperationException or FormatException)
        {
            return Line(request.DeepClone(), null, e.Message);
        }
    }

    private ValueTask<IReadOnlyList<RecommendedItem>> RecommendAsync(JsonObject line, CancellationToken cancellationToken)
    {
        var userId = Text(line, "userId");
        var itemId = Text(line, "itemId");
        var filterValues = line["filterValues"] is JsonObject values
            ? values.ToDictionary(v => v.Key, v => v.Value is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw new BatchLineException($"filterValues.{v.Key} must be a string."))
            : null;
        var request = new RecommendationRequest
        {
            UserId = userId,
            ItemId = itemId,
            InputList = line["itemList"] is JsonArray list
                ? list.Select(e => e is JsonValue value && value.TryGetValue<string>(out var id) ? id : throw new BatchLineException("itemList must be an array of item id strings.")).ToList()
                : [],
            NumResults = numResults,
            IsCandidate = filter?.For(userId, itemId, filterValues),
        };

        switch (recommender.Manifest.RecipeType)
        {
            case "RELATED_ITEMS":
                Require(itemId, "itemId");
                return recommender.RelatedItemsAsync(request, cancellationToken);
            case "PERSONALIZED_RANKING":
                Require(userId, "userId");
                if (line["itemList"] is not JsonArray { Count: > 0 and <= RecommendationRequest.MaxNumResults })
                {
                    throw new BatchLineException($"itemList is required: 1 to {RecommendationRequest.MaxNumResults} item ids.");
                }

                return new(recommender.Rank(request));
            case "POPULAR_ITEMS":
                return recommender.RecommendAsync(request, cancellationToken);
            default:
                Require(userId, "userId");
                return exploration is null
                    ? recommender.RecommendAsync(request, cancellationToken)
                    : exploration.RecommendAsync(request, recommender.RecommendAsync, cancellationToken);
        }
    }

    private static string? Text(JsonObject line, string name) =>
        line[name] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) && text.Length is > 0 and <= 256 => text,
            _ => throw new BatchLineException($"{name} must be a string of 1 to 256 characters."),
        };

    private static void Require(string? value, string name)
    {
        if (value is null)
        {
            throw new BatchLineException($"{name} is required for this solution's recipe type.");
        }
    }

    private static JsonObject Line(JsonNode? input, JsonObject? output, string? error) => new()
    {
        ["input"] = input,
        ["output"] = output,
        ["error"] = error,
    };

    private sealed class BatchLineException(string message) : Exception(message);
}
