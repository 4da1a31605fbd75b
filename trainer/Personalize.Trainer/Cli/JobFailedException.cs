namespace Personalize.Trainer.Cli;

/// <summary>A job that cannot succeed, with a reason the operator copies into the resource's status as it is.</summary>
public sealed class JobFailedException(string reason) : Exception(reason);
