namespace Personalize.Trainer.Cli;

/// <summary>One `personalize-trainer &lt;verb&gt;`: its name, a usage line, and what it does with the rest of the arguments.</summary>
public interface ITrainerVerb
{
    string Name { get; }

    string Usage { get; }

    /// <summary>Runs the verb; returns the process exit code (0 success, 1 failure, 2 bad usage).</summary>
    Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken);
}
