using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>One s3rver for every runtime test class, started once per run.</summary>
[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Server>
{
    public const string Name = "s3";
}
