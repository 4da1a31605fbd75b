using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Personalize.Trainer.Cli;

/// <summary>One `personalize-trainer &lt;verb&gt;`: its command (name, description, options) and what it does.</summary>
public interface ITrainerVerb
{
    /// <summary>The verb's command; the trainer adds the action that runs it in a host.</summary>
    Command Command { get; }

    /// <summary>Registers what the verb reads from the command line as options validated when the host starts.</summary>
    void AddOptions(IServiceCollection services, ParseResult parsed)
    {
    }

    /// <summary>Runs the verb; returns the process exit code (0 success, 1 failure, 2 bad usage, 143 stopped).</summary>
    Task<int> RunAsync(ParseResult parsed, IServiceProvider services, CancellationToken cancellationToken);
}
