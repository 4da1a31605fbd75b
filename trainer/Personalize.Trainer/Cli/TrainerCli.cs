using System.Runtime.InteropServices;

namespace Personalize.Trainer.Cli;

/// <summary>Picks the verb named by the first argument and runs it; SIGTERM and Ctrl+C cancel it cleanly.</summary>
public static class TrainerCli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;

    /// <summary>Stopped by SIGTERM before finishing (128 + 15, as a shell reports it).</summary>
    public const int Interrupted = 143;

    public static async Task<int> RunAsync(IReadOnlyList<ITrainerVerb> verbs, string[] args)
    {
        var verb = args.Length > 0 ? verbs.FirstOrDefault(v => v.Name == args[0]) : null;
        if (verb is null)
        {
            await Console.Error.WriteLineAsync(args.Length == 0 ? "personalize-trainer: no verb given." : $"personalize-trainer: unknown verb \"{args[0]}\".");
            await Console.Error.WriteLineAsync("usage:");
            foreach (var v in verbs)
            {
                await Console.Error.WriteLineAsync($"  personalize-trainer {v.Usage}");
            }

            return BadUsage;
        }

        using var cancel = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await verb.RunAsync(args[1..], cancel.Token);
    }

    /// <summary>The value after --name, or null when absent.</summary>
    public static string? Option(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == name)
            {
                return args[i + 1];
            }
        }

        return null;
    }
}
