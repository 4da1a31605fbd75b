using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Personalize.Data.Generation;
using Personalize.Data.Storage;
using Personalize.Trainer.Cli;

namespace Personalize.Trainer.Verbs;

/// <summary>`generate --output &lt;dir|s3://prefix&gt;`: realistic sample Interactions, Users and Items CSVs with their schemas.</summary>
public sealed class GenerateVerb : ITrainerVerb
{
    private static readonly GeneratorOptions Defaults = new();

    private readonly Option<string> _output = new("--output")
    {
        Description = "Where the CSVs and schemas go: a folder, or an s3:// prefix of the object store in the environment.",
        HelpName = "dir|s3://bucket/prefix/",
        Required = true,
    };

    private readonly Option<int> _users = new("--users") { Description = "Users (at least 1).", DefaultValueFactory = _ => Defaults.Users };

    private readonly Option<int> _items = new("--items") { Description = "Items (at least 2).", DefaultValueFactory = _ => Defaults.Items };

    private readonly Option<long> _interactions = new("--interactions") { Description = "Interactions (0 or more).", DefaultValueFactory = _ => Defaults.Interactions };

    private readonly Option<int> _seed = new("--seed") { Description = "Random seed: the same options and seed give the same files.", DefaultValueFactory = _ => Defaults.Seed };

    private readonly Option<int> _days = new("--days") { Description = "Days the interactions span (at least 1).", DefaultValueFactory = _ => Defaults.Days };

    private Command? _command;

    public Command Command => _command ??= new Command("generate", "Writes realistic sample Interactions, Users and Items CSVs with their schemas.")
    {
        _output, _users, _items, _interactions, _seed, _days,
    };

    public void AddOptions(IServiceCollection services, ParseResult parsed) =>
        services.AddOptions<GenerateSettings>()
            .Configure(settings =>
            {
                settings.Output = parsed.GetRequiredValue(_output);
                settings.Users = parsed.GetValue(_users);
                settings.Items = parsed.GetValue(_items);
                settings.Interactions = parsed.GetValue(_interactions);
                settings.Seed = parsed.GetValue(_seed);
                settings.Days = parsed.GetValue(_days);
            })
            .Validate(settings => settings.Users >= 1, "--users must be at least 1")
            .Validate(settings => settings.Items >= 2, "--items must be at least 2")
            .Validate(settings => settings.Interactions >= 0, "--interactions must be 0 or more")
            .Validate(settings => settings.Days >= 1, "--days must be at least 1")
            .ValidateOnStart();

    public async Task<int> RunAsync(ParseResult parsed, IServiceProvider services, CancellationToken cancellationToken)
    {
        var settings = services.GetRequiredService<IOptions<GenerateSettings>>().Value;
        var options = settings.ToGeneratorOptions();
        var generator = new SyntheticDataGenerator(options);
        var rows = S3Uri.TryParse(settings.Output, out var prefix)
            ? await GeneratedFiles.WriteToStoreAsync(generator, ObjectStoreFactory.FromEnvironment(), prefix, cancellationToken)
            : await GeneratedFiles.WriteToDirectoryAsync(generator, settings.Output, cancellationToken);
        await Console.Out.WriteLineAsync(
            $"wrote {rows} interactions, {options.Users} users and {options.Items} items (seed {options.Seed}) with their schemas to {settings.Output}");
        return TrainerCli.Success;
    }
}
