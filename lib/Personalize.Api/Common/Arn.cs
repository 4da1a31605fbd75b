namespace Personalize.Api;

/// <summary>
/// Personalize-style identifiers. Amazon's regex is `arn:([a-z\d-]+):personalize:.*:.*:.+`; ours uses the
/// partition `k8s`, the namespace where AWS has a region, and no account, so clients that check ARNs accept them.
/// </summary>
public static class Arn
{
    public static string For(string resourceType, string @namespace, string name) =>
        $"arn:k8s:personalize:{@namespace}::{resourceType}/{name}";

    public static string Recipe(string recipeName) => $"arn:aws:personalize:::recipe/{recipeName}";

    /// <summary>Splits an ARN of ours into namespace, resource type and name; null when it is not one.</summary>
    public static (string Namespace, string ResourceType, string Name)? Parse(string arn)
    {
        var parts = arn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[1] != "k8s" || parts[2] != "personalize")
        {
            return null;
        }

        var slash = parts[5].IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == parts[5].Length - 1)
        {
            return null;
        }

        return (parts[3], parts[5][..slash], parts[5][(slash + 1)..]);
    }
}
