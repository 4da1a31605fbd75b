using System.CommandLine;

namespace Personalize.Cli;

/// <summary>
/// Runs an executable's command line. A wrong or unknown option, or a missing verb or value, prints the error (with
/// a "did you mean" for typos) and the command's usage on stderr and exits 2, the executables' usage-error code;
/// anything else runs the verb's action. Signals are the Generic Host's (its console lifetime), not the parser's.
/// </summary>
public static class CommandLineApp
{
    /// <summary>The exit code of a command line that cannot be run as typed.</summary>
    public const int BadUsage = 2;

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // The parse-error action writes the errors and the usage; both belong on stderr, stdout carries results.
            parsed.Invoke(new InvocationConfiguration { Output = Console.Error, Error = Console.Error });
            return BadUsage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
