using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Personalize.Cli;

/// <summary>
/// Starts a host whose options are validated on start (ValidateOnStart): a bad value ends the command with one line
/// naming the option on stderr and the usage-error exit code, not with the host's stack trace.
/// </summary>
public static class ValidatedStart
{
    /// <summary>The options' failures printed as "<paramref name="command"/>: failure; failure", or null when they are valid.</summary>
    public static async Task<int?> OptionsFailureAsync(IServiceProvider services, string command)
    {
        try
        {
            // The check Host.StartAsync makes first, made here so that a failure is not logged as a crash.
            services.GetService<IStartupValidator>()?.Validate();
            return null;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"{command}: {string.Join("; ", e.Failures)}");
            return CommandLineApp.BadUsage;
        }
    }
}
