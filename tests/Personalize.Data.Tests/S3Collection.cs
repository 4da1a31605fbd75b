using Personalize.Testing;
using Xunit;

namespace Personalize.Data.Tests;

/// <summary>One s3rver for every test class that needs S3, started once per run.</summary>
[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Server>
{
    public const string Name = "s3";
}
