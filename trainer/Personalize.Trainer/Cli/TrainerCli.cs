using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Personalize.Cli;

namespace Personalize.Trainer.Cli;

/// <summary>
/// `personalize-trainer &lt;verb&gt; [options]`: each verb runs inside a Generic Host, whose console lifetime turns
/// SIGTERM and Ctrl+C into the verb's cancellation. Logs go to stderr; stdout carries the progress lines and the result.
/// </summary>
public static class TrainerCli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadUsage = CommandLineApp.BadUsage;

    /// <summary>Stopped by SIGTERM before finishing (128 + 15, as a shell reports it).</summary>
    public const int Interrupted = 143;

    public static Task<int> RunAsync(IReadOnlyList<ITrainerVerb> verbs, string[] args) =>
        CommandLineApp.InvokeAsync(Build(verbs), args);

    public static RootCommand Build(IReadOnlyList<ITrainerVerb> verbs)
    {
        var logFormat = ConsoleLogs.CreateFormatOption();
        var root = new RootCommand("The Personalize trainer: imports datasets, trains solution versions, runs batch inference and generates sample data.")
        {
            logFormat,
        };
        foreach (var verb in verbs)
        {
            verb.Command.SetAction((parsed, _) => RunInHostAsync(verb, parsed, parsed.GetValue(logFormat)));
            root.Subcommands.Add(verb.Command);
        }

        return root;
    }

    private static async Task<int> RunInHostAsync(ITrainerVerb verb, ParseResult parsed, string? logFormat)
    {
        var builder = CliHost.CreateBuilder(logFormat, ConsoleLogs.Simple, logsToStandardError: true);
        verb.AddOptions(builder.Services, parsed);
        using var host = builder.Build();
        if (await ValidatedStart.OptionsFailureAsync(host.Services, $"personalize-trainer {verb.Command.Name}") is { } badOptions)
        {
            return badOptions;
        }

        await host.StartAsync();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var exit = await verb.RunAsync(parsed, host.Services, lifetime.ApplicationStopping);
        await host.StopAsync(CancellationToken.None);
        return exit;
    }
}
