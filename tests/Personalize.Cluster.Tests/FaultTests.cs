using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Personalize.Testing;
using Xunit;

namespace Personalize.Cluster.Tests;

/// <summary>Real failures on the node: an operator pod dies, a campaign rolls to a new version under load.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FaultTests(InstalledProduct product)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task DeletingTheLeadingOperatorPodHandsTheLeaseToTheOtherWhichCreatesNoDuplicateJob()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var ct = timeout.Token;
        await product.WaitForOperatorPodsAsync(2, ct);
        var leader = await LeaseHolderAsync(ct);
        Assert.Contains(leader, await product.ReadyPodsAsync(InstalledProduct.SystemNamespace, InstalledProduct.OperatorSelector, ct));

        (await product.KubectlAsync(ct, "delete", "pod", leader, "-n", InstalledProduct.SystemNamespace, "--wait=false")).EnsureSuccess("kubectl delete pod");
        string? next = null;
        await product.WaitAsync(
            async t => (next = await LeaseHolderAsync(t)) is { Length: > 0 } holder && holder != leader,
            TimeSpan.FromMinutes(1),
            $"another operator pod to take the lease from {leader}",
            ct,
            InstalledProduct.SystemNamespace);

        // The new leader reconciles: a new SolutionVersion gets exactly one Job, and no owner has two.
        (await product.Node.Kube.KubectlAsync(["apply", "-n", InstalledProduct.Shop, "-f", "-"], """
            apiVersion: personalize.io/v1alpha1
            kind: SolutionVersion
            metadata:
              name: quickstart-sims-after-failover
            spec:
              solutionRef:
                name: quickstart-sims
            """, ct)).EnsureSuccess("kubectl apply SolutionVersion");
        await product.WaitForPhaseAsync("solutionversion", "quickstart-sims-after-failover", "ACTIVE", Deadline, ct);
        var jobs = await product.GetJsonAsync(ct, "jobs", "-n", InstalledProduct.Shop);
        var owners = jobs.GetProperty("items").EnumerateArray()
            .Select(j => j.GetProperty("metadata").GetProperty("ownerReferences")[0].GetProperty("name").GetString())
            .ToList();
        Assert.Single(owners, o => o == "quickstart-sims-after-failover");
        Assert.Equal(owners.Count, owners.Distinct().Count());
        await product.WaitForOperatorPodsAsync(2, ct);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task RollingACampaignToANewVersionFailsNoRequestThroughItsService()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var ct = timeout.Token;
        const string campaign = "quickstart-related";
        await product.WaitForPhaseAsync("campaign", campaign, "ACTIVE", Deadline, ct);
        (await product.Node.Kube.KubectlAsync(["apply", "-n", InstalledProduct.Shop, "-f", "-"], """
            apiVersion: personalize.io/v1alpha1
            kind: SolutionVersion
            metadata:
              name: quickstart-sims-v2
            spec:
              solutionRef:
                name: quickstart-sims
            """, ct)).EnsureSuccess("kubectl apply SolutionVersion");
        await product.WaitForPhaseAsync("solutionversion", "quickstart-sims-v2", "ACTIVE", Deadline, ct);
        var arn = await product.FieldAsync("campaign", campaign, "{.status.arn}", ct);
        var clusterIp = await product.FieldAsync("service", campaign, "{.spec.clusterIP}", ct);

        // A steady client on the Service's address (kube-proxy's rules take it to the ready pods).
        using var http = new HttpClient { BaseAddress = new Uri($"http://{clusterIp}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await product.TokenAsync(campaign, ct));
        using var stopLoad = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var served = 0;
        var load = Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                try
                {
                    using var response = await http.PostAsJsonAsync("/recommendations", new { campaignArn = arn, itemId = "i3", numResults = 5 }, CancellationToken.None);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref served);
                    }
                    else
                    {
                        failures.Enqueue($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue(ex.Message);
                }
                catch (TaskCanceledException ex)
                {
                    failures.Enqueue($"timeout: {ex.Message}");
                }

                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);

        await product.WaitAsync(_ => Task.FromResult(Volatile.Read(ref served) >= 20 || !failures.IsEmpty), TimeSpan.FromMinutes(1), "the load to reach the campaign", ct);
        (await product.KubectlAsync(ct, "patch", "campaign", campaign, "-n", InstalledProduct.Shop, "--type=merge", "-p", """{"spec":{"solutionVersionRef":{"name":"quickstart-sims-v2"}}}"""))
            .EnsureSuccess("kubectl patch campaign");
        await product.WaitAsync(
            async t => await product.FieldAsync("campaign", campaign, "{.status.servingSolutionVersion}", t) == "quickstart-sims-v2"
                && await product.FieldAsync("campaign", campaign, "{.status.phase}", t) == "ACTIVE",
            Deadline,
            $"campaign {campaign} serving quickstart-sims-v2",
            ct);
        var servedBeforeEnd = Volatile.Read(ref served);
        await product.WaitAsync(_ => Task.FromResult(Volatile.Read(ref served) >= servedBeforeEnd + 20), TimeSpan.FromMinutes(1), "requests after the rollout", ct);
        await stopLoad.CancelAsync();
        await load;

        Assert.True(failures.Count == 0, $"{failures.Count} of {served + failures.Count} requests failed during the rollout:\n{string.Join('\n', failures.Take(20))}");
    }

    private async Task<string> LeaseHolderAsync(CancellationToken ct)
    {
        var lease = await product.GetJsonAsync(ct, "lease", "personalize-operator-leader", "-n", InstalledProduct.SystemNamespace);
        return lease.GetProperty("spec").TryGetProperty("holderIdentity", out var holder) ? holder.GetString() ?? string.Empty : string.Empty;
    }
}
