using Personalize.Testing;
using Xunit;

namespace Personalize.Infrastructure.Tests;

// One control plane per assembly per kind: starting one costs seconds, namespaces isolate tests.
[CollectionDefinition(Name)]
public sealed class KubeCollection : ICollectionFixture<KubeApiServer>
{
    public const string Name = "kube-apiserver";
}

[CollectionDefinition(Name)]
public sealed class KubeWithControllersCollection : ICollectionFixture<KubeApiServerWithControllers>
{
    public const string Name = "kube-apiserver with controllers";
}
