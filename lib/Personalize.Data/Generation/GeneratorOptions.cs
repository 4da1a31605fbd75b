namespace Personalize.Data.Generation;

/// <summary>Size and shape of a generated dataset. The same options and seed always give the same files.</summary>
public sealed record GeneratorOptions
{
    public int Users { get; init; } = 1_000;

    public int Items { get; init; } = 500;

    public long Interactions { get; init; } = 20_000;

    public int Seed { get; init; } = 42;

    public int Categories { get; init; } = 12;

    /// <summary>Epoch seconds of the first interaction.</summary>
    public long StartTime { get; init; } = 1_700_000_000;

    public int Days { get; init; } = 90;

    /// <summary>Chance that the next event of a session follows the previous item's habit chain (what tends to follow what).</summary>
    public double SequentialShare { get; init; } = 0.6;

    /// <summary>Share of items created during the time range (new items, for cold start); the rest exist before it.</summary>
    public double NewItemShare { get; init; } = 0.1;

    /// <summary>Zipf exponent of item popularity (long tail).</summary>
    public double PopularitySkew { get; init; } = 1.0;

    /// <summary>
    /// False: a user interacts with each item at most once, as in a rating dataset where each rating is one interaction
    /// (a user then has at most Items interactions).
    /// </summary>
    public bool RepeatItems { get; init; } = true;

    public long EndTime => StartTime + (Days * 86_400L);

    public void Validate()
    {
        if (Users < 1 || Items < 2 || Interactions < 0 || Categories < 1 || Days < 1)
        {
            throw new ArgumentException("users >= 1, items >= 2, interactions >= 0, categories >= 1 and days >= 1 are required.");
        }

        if (!RepeatItems && Interactions > (long)Users * Items)
        {
            throw new ArgumentException($"Without repeated items, interactions ({Interactions}) cannot exceed users x items ({(long)Users * Items}).");
        }

        if (SequentialShare is < 0 or > 1 || NewItemShare is < 0 or > 1)
        {
            throw new ArgumentException("SequentialShare and NewItemShare are shares between 0 and 1.");
        }
    }
}
