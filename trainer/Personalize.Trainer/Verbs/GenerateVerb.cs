using System.Globalization;
using Personalize.Data.Generation;
using Personalize.Data.Storage;
using Personalize.Trainer.Cli;

namespace Personalize.Trainer.Verbs;

/// <summary>`generate --output &lt;dir|s3://prefix&gt;`: realistic sample Interactions, Users and Items CSVs with their schemas.</summary>
public sealed class GenerateVerb : ITrainerVerb
{
    public string Name => "generate";

    public string Usage => "generate --output <dir|s3://bucket/prefix/> [--users N] [--items N] [--interactions N] [--seed S] [--days D]";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var output = TrainerCli.Option(args, "--output");
        if (output is null)
        {
            await Console.Error.WriteLineAsync($"usage: personalize-trainer {Usage}");
            return TrainerCli.BadUsage;
        }

        GeneratorOptions options;
        try
        {
            var defaults = new GeneratorOptions();
            options = defaults with
            {
                Users = Number(args, "--users", defaults.Users),
                Items = Number(args, "--items", defaults.Items),
                Interactions = Number(args, "--interactions", defaults.Interactions),
                Seed = Number(args, "--seed", defaults.Seed),
                Days = Number(args, "--days", defaults.Days),
            };
            options.Validate();
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"personalize-trainer generate: {e.Message}");
            return TrainerCli.BadUsage;
        }

        var generator = new SyntheticDataGenerator(options);
        var rows = S3Uri.TryParse(output, out var prefix)
            ? await GeneratedFiles.WriteToStoreAsync(generator, ObjectStoreFactory.FromEnvironment(), prefix, cancellationToken)
            : await GeneratedFiles.WriteToDirectoryAsync(generator, output, cancellationToken);
        await Console.Out.WriteLineAsync(
            $"wrote {rows} interactions, {options.Users} users and {options.Items} items (seed {options.Seed}) with their schemas to {output}");
        return TrainerCli.Success;
    }

    private static T Number<T>(IReadOnlyList<string> args, string name, T fallback)
        where T : IParsable<T>
    {
        var text = TrainerCli.Option(args, name);
        if (text is null)
        {
            return fallback;
        }

        return T.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"{name} \"{text}\" is not a number.");
    }
}
