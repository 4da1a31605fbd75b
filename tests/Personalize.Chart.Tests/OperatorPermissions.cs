using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>What the operator's service account must be allowed, and a sample of what it must not, asked with `kubectl auth can-i`.</summary>
public static class OperatorPermissions
{
    private static readonly string[][] Allowed =
    [
        ["patch", "jobs.batch", "-n", "default"],
        ["create", "jobs.batch", "-n", "default"],
        ["patch", "deployments.apps", "-n", "default"],
        ["delete", "services", "-n", "default"],
        ["patch", "configmaps", "-n", "default"],
        ["patch", "poddisruptionbudgets.policy", "-n", "default"],
        ["list", "pods", "-n", "default"],
        ["create", "events", "-n", "default"],
        ["list", "events", "-n", "default"],
        ["get", "secrets", "-n", "default"],
        ["patch", "secrets", "-n", "default"],
        ["create", "secrets", "-n", "default"],
        ["watch", "solutionversions.personalize.io", "-n", "default"],
        ["create", "solutionversions.personalize.io", "-n", "default"],
        ["update", "campaigns.personalize.io", "--subresource=status", "-n", "default"],
        ["update", "datasets.personalize.io", "--subresource=finalizers", "-n", "default"],
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
        foreach (var check in Allowed.Append(["update", "leases.coordination.k8s.io", "-n", leaseNamespace]))
        {
            var result = await kube.KubectlAsync(["auth", "can-i", .. check, "--as", account]);
            Assert.True(result.Succeeded, $"{account} should be allowed: {string.Join(' ', check)} ({result.StdOut.Trim()} {result.StdErr.Trim()})");
        }

        foreach (var check in Denied)
        {
            var result = await kube.KubectlAsync(["auth", "can-i", .. check, "--as", account]);
            Assert.False(result.Succeeded, $"{account} should be denied: {string.Join(' ', check)}");
        }
    }
}
