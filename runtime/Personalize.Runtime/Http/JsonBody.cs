using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Personalize.Runtime.Http;

/// <summary>
/// Reads a request body as JSON whatever its Content-Type (botocore sends application/json, other SDKs
/// application/x-amz-json-1.1, curl users often nothing), turning every way it can be wrong into a 400 or 413.
/// </summary>
public static class JsonBody
{
    public static async Task<(T? Value, PersonalizeError? Error)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var limit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (limit is not null && request.ContentLength > limit)
        {
            return (null, TooLarge(limit.Value));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, RuntimeJson.Options, cancellationToken);
            return value is null ? (null, PersonalizeError.InvalidInput("The request body must be a JSON object, not null.")) : (value, null);
        }
        catch (JsonException e)
        {
            var detail = e.Message.Split(" Path:", 2)[0];
            // A value of the wrong type names its field; anything else is broken JSON, named where it broke.
            var field = e.Path is { Length: > 2 } path ? path[2..] : null;
            var wrongType = field is not null && detail.StartsWith("The JSON value could not be converted", StringComparison.Ordinal);
            return (null, PersonalizeError.InvalidInput(wrongType
                ? $"{field} has the wrong JSON type for this field."
                : $"The request body is not valid JSON{(field is null ? string.Empty : $" at {field}")} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {detail}"));
        }

        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limit ?? 0));
        }
    }

    private static PersonalizeError TooLarge(long limit) =>
        PersonalizeError.TooLarge($"The request body is larger than the {limit} bytes this runtime accepts.");
}
