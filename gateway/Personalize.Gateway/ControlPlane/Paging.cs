using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Personalize.Gateway.Protocol;

namespace Personalize.Gateway.ControlPlane;

/// <summary>
/// list_* paging: `maxResults` 1-100 (default 100), and an opaque `nextToken` (the offset into the list, which is
/// ordered newest first as Personalize orders it, then by name so the order is stable between pages).
/// </summary>
public static class Paging
{
    public const int MaxResults = 100;

    public static JsonObject Page<T>(RequestFields request, IEnumerable<T> items, Func<T, DateTimeOffset> created, Func<T, string> name, string listField, Func<T, JsonNode> shape)
    {
        var max = request.Int("maxResults") ?? MaxResults;
        if (max is < 1 or > MaxResults)
        {
            throw PersonalizeException.InvalidInput($"maxResults must be between 1 and {MaxResults}.");
        }

        var offset = request.String("nextToken") is { } token ? Decode(token) : 0;
        var ordered = items.OrderByDescending(created).ThenBy(name, StringComparer.Ordinal).ToList();
        var page = new JsonArray(ordered.Skip(offset).Take(max).Select(shape).ToArray());
        var response = new JsonObject { [listField] = page };
        if (offset + max < ordered.Count)
        {
            response["nextToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("offset:" + (offset + max).ToString(CultureInfo.InvariantCulture)));
        }

        return response;
    }

    private static int Decode(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("offset:", StringComparison.Ordinal) && int.TryParse(text[7..], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
            // Reported below.
        }

        throw PersonalizeException.InvalidNextToken("nextToken is not a token this API returned.");
    }
}
