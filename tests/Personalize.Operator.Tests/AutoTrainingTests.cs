using k8s;
using k8s.Models;
using Personalize.Api;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>SolutionVersions the operator creates on a Solution's schedule, on an API server whose garbage collector runs.</summary>
[Collection(OperatorWithControllersCollection.Name)]
public sealed class AutoTrainingTests(OperatorEnvironmentWithControllers env)
{
    [Fact]
    public async Task AutomaticVersion_IsOwnedByItsSolution_AndGoesWithItOnACascadingDelete()
    {
        using var cluster = await TestCluster.CreateAsync(env, "auto");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateAsync(Samples.Group(ns));
        var solution = Samples.Solution(ns);
        solution.Spec.PerformAutoTraining = true;
        solution.Spec.SolutionConfig!.AutoTrainingConfig = new AutoTrainingConfig { SchedulingExpression = "rate(7 days)" };
        await cluster.CreateAsync(solution);

        var active = await cluster.WaitForAsync<Solution>("hrnn", s => s.Status.LatestSolutionVersion?.Name is not null, "its first automatic version");
        var version = await cluster.GetAsync<SolutionVersion>(active.Status.LatestSolutionVersion!.Name!);
        var owner = Assert.Single(version.Metadata.OwnerReferences);
        Assert.Equal((ApiGroup.ApiVersion, "Solution", "hrnn", active.Metadata.Uid), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid));
        Assert.True(owner.Controller);

        // kubectl delete --cascade=foreground: the garbage collector deletes the owned version first, then the Solution's finalizer lets it go.
        var e = ApiGroup.EntityOf<Solution>();
        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(e.Group, e.ApiVersion, ns, e.PluralName, "hrnn", new V1DeleteOptions { PropagationPolicy = "Foreground" });
        await cluster.WaitGoneAsync<SolutionVersion>(version.Metadata.Name);
        await cluster.WaitGoneAsync<Solution>("hrnn");
    }
}
