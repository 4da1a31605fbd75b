using Personalize.Api.Crds;

namespace Personalize.Operator.Controllers.Hosting;

/// <summary>The namespaced mode's list of namespaces, as the chart's operator.watchNamespaces passes it.</summary>
public static class WatchedNamespaces
{
    public const string Variable = "PERSONALIZE_WATCH_NAMESPACES";

    /// <summary>Comma-separated namespace names, blanks around them ignored, each a DNS-1123 label.</summary>
    public static IReadOnlyList<string> Parse(string value)
    {
        var names = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (names.FirstOrDefault(n => !CrdValidator.IsDnsLabel(n)) is { } bad)
        {
            throw new FormatException($"{Variable}: \"{bad}\" is not a namespace name (a lowercase RFC 1123 label: a-z, 0-9 and '-', at most 63).");
        }

        return names;
    }
}
