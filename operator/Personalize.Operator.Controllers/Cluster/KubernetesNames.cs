using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Personalize.Operator.Controllers.Cluster;

/// <summary>
/// Names and label values for what the operator creates. A custom resource's name is a DNS-1123 subdomain (up to
/// 253 characters, may start with a digit, may hold dots), but a Service needs a DNS-1035 label (a letter first, at
/// most 63 characters, no dots) and a label value at most 63 characters. A name that already fits is used as is
/// (so existing objects keep their names); any other gets a fitting form with a hash of the original, so two
/// resources never share one.
/// </summary>
public static partial class KubernetesNames
{
    private const int MaxLabel = 63;

    /// <summary>A DNS-1035 label for the campaign's Deployment, Service and PodDisruptionBudget.</summary>
    public static string Dns1035Label(string name)
    {
        if (Dns1035().IsMatch(name))
        {
            return name;
        }

        var hash = HashOf(name);
        var cleaned = NotLabelCharacters().Replace(name.ToLowerInvariant(), "-");
        var stem = ("c-" + cleaned)[..Math.Min(2 + cleaned.Length, MaxLabel - hash.Length - 1)].TrimEnd('-');
        return $"{stem}-{hash}";
    }

    /// <summary>A label value standing for a resource name (the name itself when it fits).</summary>
    public static string LabelValue(string name)
    {
        if (name.Length <= MaxLabel)
        {
            return name;
        }

        var hash = HashOf(name);
        return $"{name[..(MaxLabel - hash.Length - 1)].TrimEnd('-', '.')}-{hash}";
    }

    private static string HashOf(string name) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8].ToLowerInvariant();

    [GeneratedRegex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex Dns1035();

    [GeneratedRegex("[^-a-z0-9]")]
    private static partial Regex NotLabelCharacters();
}
