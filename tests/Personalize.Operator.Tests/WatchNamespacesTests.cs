using Microsoft.Extensions.Logging;
using Personalize.Api;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>
/// The namespaced mode (operator.watchNamespaces): the operator runs as a ServiceAccount holding only the Roles the
/// chart renders in the listed namespaces, on an API server that enforces RBAC. It serves both namespaces and never
/// touches a third; a cluster-wide list or watch would be refused (403) and its caches would never sync.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class WatchNamespacesTests(OperatorEnvironment env)
{
    [Fact]
    public async Task OperatorWithTheChartsRolesInTwoNamespaces_ServesCampaignsInBoth_AndLeavesAThirdAlone_WithFakeKubeletAndTrainer()
    {
        using var teamA = await TestCluster.CreateAsync(env, "team-a");
        using var teamB = await TestCluster.CreateAsync(env, "team-b");
        using var other = await TestCluster.CreateAsync(env, "other");
        var release = await env.Kube.CreateNamespaceAsync("home");
        using (var helm = new Helm())
        {
            var rbac = await helm.TemplateAsync(
                [.. Helm.CredentialValues, "--show-only", "templates/rbac.yaml", "--set", $"operator.watchNamespaces={{{teamA.Namespace},{teamB.Namespace}}}"],
                @namespace: release,
                releaseName: release);
            (await env.Kube.KubectlAsync(["apply", "-f", "-"], rbac)).EnsureSuccess("kubectl apply of the chart's RBAC");
        }

        // Created before the operator starts, so its first lists would see them if they reached that namespace.
        await other.CreateInteractionsDatasetAsync();
        var refusals = new ForbiddenCalls();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(refusals));
        await using var op = await RunningOperator.StartAsync(
            env,
            teamA.Namespace,
            s => s with { WatchNamespaces = [teamA.Namespace, teamB.Namespace] },
            client: env.Kube.CreateClientForServiceAccount(release, $"{release}-personalize-operator"),
            loggers: loggers);

        await Task.WhenAll(ServeACampaignAsync(teamA), ServeACampaignAsync(teamB));

        // Everything in the watched namespaces is done; nothing in the third was ever reconciled.
        var untouched = await other.GetAsync<DatasetGroup>("retail");
        Assert.Null(untouched.Status?.Phase);
        Assert.Empty(untouched.Metadata.Finalizers ?? []);
        Assert.Null((await other.GetAsync<Schema>("interactions")).Status?.Phase);
        Assert.Null((await other.GetAsync<Dataset>("interactions")).Status?.Phase);
        Assert.Empty(await other.JobsAsync());
        Assert.Empty(refusals.Messages);
    }

    /// <summary>The list itself confines the operator, not only its RBAC: with an admin's rights it still reconciles only what is listed.</summary>
    [Fact]
    public async Task OperatorWithAdminRights_ReconcilesOnlyTheListedNamespaces()
    {
        using var teamA = await TestCluster.CreateAsync(env, "team-a");
        using var teamB = await TestCluster.CreateAsync(env, "team-b");
        using var other = await TestCluster.CreateAsync(env, "other");
        await other.CreateAsync(Samples.Schema(other.Namespace));
        await using var op = await RunningOperator.StartAsync(env, teamA.Namespace, s => s with { WatchNamespaces = [teamA.Namespace, teamB.Namespace] });

        await teamA.CreateAsync(Samples.Schema(teamA.Namespace));
        await teamB.CreateAsync(Samples.Schema(teamB.Namespace));
        await other.CreateAsync(Samples.Group(other.Namespace));
        await teamA.WaitForPhaseAsync<Schema>("interactions", Phases.Active);
        await teamB.WaitForPhaseAsync<Schema>("interactions", Phases.Active);

        Assert.Null((await other.GetAsync<Schema>("interactions")).Status?.Phase);
        Assert.Null((await other.GetAsync<DatasetGroup>("retail")).Status?.Phase);
        Assert.DoesNotContain(op.Host.Store.List<Schema>(), s => s.Metadata.NamespaceProperty == other.Namespace);
    }

    private static async Task ServeACampaignAsync(TestCluster cluster)
    {
        await cluster.TrainedVersionAsync();
        await cluster.StartCampaignAsync(Samples.Campaign(cluster.Namespace, minTps: 1));
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);
    }
}
