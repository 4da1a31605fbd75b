using Personalize.Data.Generation;

namespace Personalize.Trainer.Verbs;

/// <summary>`generate`'s sizes as typed on the command line; checked when the host starts, each rule naming its option.</summary>
public sealed class GenerateSettings
{
    public string Output { get; set; } = string.Empty;

    public int Users { get; set; }

    public int Items { get; set; }

    public long Interactions { get; set; }

    public int Seed { get; set; }

    public int Days { get; set; }

    public GeneratorOptions ToGeneratorOptions() => new()
    {
        Users = Users,
        Items = Items,
        Interactions = Interactions,
        Seed = Seed,
        Days = Days,
    };
}
