using k8s;
using k8s.Models;
using Personalize.Api;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests;

[Collection(OperatorCollection.Name)]
public sealed class RbacTests(OperatorEnvironment env)
{
    /// <summary>The ClusterRole grants only verbs the code calls; this proves it grants every one the lifecycle needs.</summary>
    [Fact]
    public async Task OperatorWithOnlyItsClusterRole_RunsTheChainToAServingCampaign_AndDeletesIt_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "rbac");
        var ns = cluster.Namespace;
        (await env.Kube.KubectlAsync("apply", "-f", Path.Combine(InfraPaths.RepoRoot, "config", "rbac", "role.yaml"))).EnsureSuccess("kubectl apply -f config/rbac/role.yaml");
        await cluster.Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(
            new V1RoleBinding
            {
                Metadata = new V1ObjectMeta { Name = "operator" },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "personalize-operator" },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "operator", NamespaceProperty = ns }],
            },
            ns);
        var asOperator = env.Kube.CreateClientForServiceAccount(ns, "operator");
        await using var op = await RunningOperator.StartAsync(env, ns, client: asOperator);

        await cluster.TrainedVersionAsync();
        await cluster.CreateAsync(Samples.Campaign(ns, minTps: 1));
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.CreateInProgress);
        await cluster.MarkDeploymentReadyAsync_AsFakeKubelet("shop");
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);
        await cluster.DeleteAsync<Campaign>("shop");
        await cluster.WaitGoneAsync<Campaign>("shop");
        Assert.Empty((await cluster.Client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items);
        // A forbidden call would have failed a reconcile of some kind.
        Assert.All(ApiGroup.Kinds, kind => Assert.Equal(0, op.Host.Metrics.Errors.WithLabels(ApiGroup.EntityOf(kind).Kind).Value));
    }
}
