using System.Text.Json;
using Personalize.Data.Storage;

namespace Personalize.Operator.Controllers.Hosting;

/// <summary>
/// Which object-store locations a namespace's jobs may read and write (PERSONALIZE_ALLOWED_PREFIXES, the chart's
/// tenancy.allowedPrefixes). Trainer jobs run with the operator's shared store credentials, so without this a
/// DatasetImportJob or BatchInferenceJob in one namespace could read (and echo into its output) or overwrite any
/// object in the store. A namespace may always use its own prefix, s3://&lt;bucket&gt;/&lt;namespace&gt;/, plus the prefixes
/// listed for it by name and those listed under "*" for every namespace. Unset (local mode), nothing is confined.
/// </summary>
public sealed class DataLocationPolicy
{
    public const string Variable = "PERSONALIZE_ALLOWED_PREFIXES";

    public const string ChartValue = "tenancy.allowedPrefixes";

    private readonly Dictionary<string, List<S3Uri>> _prefixes;

    public DataLocationPolicy(IReadOnlyDictionary<string, string[]> prefixes)
    {
        _prefixes = prefixes.ToDictionary(p => p.Key, p => p.Value.Select(v => ParsePrefix(v, p.Key)).ToList(), StringComparer.Ordinal);
    }

    /// <summary>Parses {"namespace": ["s3://bucket/prefix/", ...], "*": [...]}.</summary>
    public static DataLocationPolicy Parse(string json)
    {
        try
        {
            return new DataLocationPolicy(JsonSerializer.Deserialize<Dictionary<string, string[]>>(json) ?? []);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{Variable} must be a JSON object of namespace to a list of s3:// prefixes: {ex.Message}", ex);
        }
    }

    /// <summary>Null when <paramref name="location"/> is inside what the namespace may use; else why not, naming the field and the rule.</summary>
    public string? Refusal(string @namespace, string bucket, string field, string location)
    {
        var allowed = AllowedFor(@namespace, bucket);
        if (S3Uri.TryParse(location, out var uri) && !HasDotSegment(uri.Key) && allowed.Any(p => Within(uri, p)))
        {
            return null;
        }

        return $"{field}: {location} is outside the locations namespace {@namespace} may use ({string.Join(", ", allowed)}); "
            + $"an administrator allows more with the chart value {ChartValue}";
    }

    private List<S3Uri> AllowedFor(string @namespace, string bucket) =>
    [
        new S3Uri(bucket, $"{@namespace}/"),
        .. _prefixes.GetValueOrDefault(@namespace) ?? [],
        .. _prefixes.GetValueOrDefault("*") ?? [],
    ];

    private static bool Within(S3Uri uri, S3Uri prefix) =>
        uri.Bucket == prefix.Bucket && uri.Key.StartsWith(prefix.Key, StringComparison.Ordinal);

    // A store that resolves "a/../b" (a folder, some S3 servers) would otherwise let a key climb out of its prefix.
    private static bool HasDotSegment(string key) => key.Split('/').Any(s => s is "." or "..");

    private static S3Uri ParsePrefix(string value, string @namespace) =>
        S3Uri.TryParse(value, out var uri) && !HasDotSegment(uri.Key)
            ? uri.AsPrefix()
            : throw new FormatException($"{Variable}: \"{value}\" (for {@namespace}) is not an s3://bucket/ or s3://bucket/prefix/ location.");
}
