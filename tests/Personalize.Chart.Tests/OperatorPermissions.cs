using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>What the operator's service account must be allowed, and a sample of what it must not, asked with `kubectl auth can-i`.</summary>
public static class OperatorPermissions
{
    // Namespaced: each is asked in a namespace the operator serves.
    private static readonly string[][] Allowed =
    [
        ["patch", "jobs.batch"],
        ["create", "jobs.batch"],
        ["patch", "deployments.apps"],
        ["delete", "services"],
        ["patch", "configmaps"],
        ["patch", "poddisruptionbudgets.policy"],
        ["list", "pods"],
        ["create", "events"],
        ["list", "events"],
        ["get", "secrets"],
        ["patch", "secrets"],
        ["create", "secrets"],
        ["watch", "solutionversions.personalize.io"],
        ["create", "solutionversions.personalize.io"],
        ["update", "campaigns.personalize.io", "--subresource=status"],
        ["update", "datasets.personalize.io", "--subresource=finalizers"],
    ];

    // Beside a sample of what no operator needs, each verb the code does not call (server-side apply is a patch, or a
    // create of a new object, never an update; no Secret but a campaign's token is read, so none are listed).
    private static readonly string[][] Denied =
    [
        ["list", "secrets", "-n", "default"],
        ["delete", "pods", "-n", "default"],
        ["update", "jobs.batch", "-n", "default"],
        ["update", "deployments.apps", "-n", "default"],
        ["get", "services", "-n", "default"],
        ["delete", "campaigns.personalize.io", "-n", "default"],
        ["patch", "campaigns.personalize.io", "-n", "default"],
        ["patch", "campaigns.personalize.io", "--subresource=status", "-n", "default"],
        ["create", "events.events.k8s.io", "-n", "default"],
        ["create", "clusterroles.rbac.authorization.k8s.io"],
        ["update", "leases.coordination.k8s.io", "-n", "default"],
        ["delete", "nodes"],
    ];

    /// <param name="leaseNamespace">Where the operator runs: the only namespace whose Leases it may update.</param>
    public static async Task AssertAsync(KubeApiServer kube, string account, string leaseNamespace)
    {
        foreach (var check in Allowed.Select(c => (string[])[.. c, "-n", "default"]).Append(["update", "leases.coordination.k8s.io", "-n", leaseNamespace]))
        {
            await AssertAllowedAsync(kube, account, check);
        }

        foreach (var check in Denied)
        {
            await AssertDeniedAsync(kube, account, check);
        }
    }

    /// <summary>Namespaced mode (operator.watchNamespaces): everything the reconcilers need in each watched namespace,
    /// none of it in <paramref name="other"/> nor across all namespaces (the cluster-wide list and watch included).</summary>
    public static async Task AssertConfinedAsync(KubeApiServer kube, string account, IReadOnlyList<string> watched, string other)
    {
        foreach (var check in watched.SelectMany(ns => Allowed.Select(c => (string[])[.. c, "-n", ns])))
        {
            await AssertAllowedAsync(kube, account, check);
        }

        foreach (var check in Allowed.SelectMany(c => new[] { (string[])[.. c, "-n", other], [.. c, "--all-namespaces"] }))
        {
            await AssertDeniedAsync(kube, account, check);
        }
    }

    private static async Task AssertAllowedAsync(KubeApiServer kube, string account, string[] check)
    {
        var result = await kube.KubectlAsync(["auth", "can-i", .. check, "--as", account]);
        Assert.True(result.Succeeded, $"{account} should be allowed: {string.Join(' ', check)} ({result.StdOut.Trim()} {result.StdErr.Trim()})");
    }

    private static async Task AssertDeniedAsync(KubeApiServer kube, string account, string[] check)
    {
        var result = await kube.KubectlAsync(["auth", "can-i", .. check, "--as", account]);
        Assert.False(result.Succeeded, $"{account} should be denied: {string.Join(' ', check)}");
    }
}
