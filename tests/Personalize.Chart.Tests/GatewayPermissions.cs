using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>What the gateway's service account must be allowed, and a sample of what it must not, asked with `kubectl auth can-i`.</summary>
public static class GatewayPermissions
{
    private static readonly string[][] Allowed =
    [
        ["list", "datasetgroups.personalize.io", "--all-namespaces"],
        ["watch", "campaigns.personalize.io", "--all-namespaces"],
        ["create", "solutions.personalize.io", "-n", "team-a"],
        ["update", "campaigns.personalize.io", "-n", "team-a"],
        ["delete", "filters.personalize.io", "-n", "team-a"],
        // A campaign's Service and bearer-token Secret, by name.
        ["get", "services", "-n", "team-a"],
        ["get", "secrets", "-n", "team-a"],
    ];

    private static readonly string[][] Denied =
    [
        ["list", "secrets", "-n", "team-a"],
        ["watch", "secrets", "-n", "team-a"],
        ["update", "secrets", "-n", "team-a"],
        ["list", "services", "-n", "team-a"],
        ["update", "campaigns.personalize.io", "--subresource=status", "-n", "team-a"],
        ["create", "jobs.batch", "-n", "team-a"],
        ["create", "deployments.apps", "-n", "team-a"],
        ["delete", "pods", "-n", "team-a"],
    ];

    /// <param name="keyNamespace">Where the gateway runs: the only namespace whose Secrets (access keys) it may list.</param>
    public static async Task AssertAsync(KubeApiServer kube, string account, string keyNamespace)
    {
        foreach (var check in Allowed.Append(["list", "secrets", "-n", keyNamespace]))
        {
            var result = await kube.KubectlAsync(["auth", "can-i", .. check, "--as", account]);
            Assert.True(result.Succeeded, $"{account} should be allowed: {string.Join(' ', check)} ({result.StdOut.Trim()} {result.StdErr.Trim()})");
        }

        foreach (var check in Denied.Concat([["create", "secrets", "-n", keyNamespace], ["update", "leases.coordination.k8s.io", "-n", keyNamespace]]))
        {
            var result = await kube.KubectlAsync(["auth", "can-i", .. check, "--as", account]);
            Assert.False(result.Succeeded, $"{account} should be denied: {string.Join(' ', check)}");
        }
    }
}
