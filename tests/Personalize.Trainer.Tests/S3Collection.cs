using Personalize.Testing;

namespace Personalize.Trainer.Tests;

/// <summary>One s3rver for the trainer tests that run the runtime against the store as a cluster does.</summary>
[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Server>
{
    public const string Name = "s3";
}
