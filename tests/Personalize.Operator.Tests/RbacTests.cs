using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
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
        var refusals = new ForbiddenCalls();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(refusals));
        await using var op = await RunningOperator.StartAsync(env, ns, client: asOperator, loggers: loggers);

        await cluster.TrainedVersionAsync();
        await cluster.StartCampaignAsync(Samples.Campaign(ns, minTps: 1));
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);
        await cluster.DeleteAsync<Campaign>("shop");
        await cluster.WaitGoneAsync<Campaign>("shop");
        Assert.Empty((await cluster.Client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items);
        // A forbidden call off the main path (events, secrets) fails a reconcile without stopping the chain.
        Assert.Empty(refusals.Messages);
    }
}

/// <summary>Collects what the operator logged about calls the API server refused with 403.</summary>
public sealed class ForbiddenCalls : ILoggerProvider
{
    public System.Collections.Concurrent.ConcurrentQueue<string> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Collector(this);

    public void Dispose()
    {
    }

    private sealed class Collector(ForbiddenCalls owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is HttpOperationException { Response.StatusCode: System.Net.HttpStatusCode.Forbidden } forbidden)
            {
                owner.Messages.Enqueue(forbidden.Response.Content);
            }
        }
    }
}
