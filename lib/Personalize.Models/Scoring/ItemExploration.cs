using System.Globalization;
using Personalize.Models.Artifacts;

namespace Personalize.Models.Scoring;

/// <summary>
/// itemExplorationConfig of a USER_PERSONALIZATION campaign or batch job: explorationWeight (0 to 1) of each list's
/// places go to exploration items, spread evenly through the list. Exploration items are the model's best among the
/// items that are new (created at most explorationItemAgeCutOff days before the newest interaction the model trained
/// on) or less seen (among the quarter of items with the fewest users). Without a config nothing is explored, so the list is
/// exactly what offline metrics measured.
/// </summary>
public sealed class ItemExploration
{
    public const string WeightKey = "explorationWeight";
    public const string AgeCutOffKey = "explorationItemAgeCutOff";
    public const double DefaultWeight = 0.3;
    public const double DefaultAgeCutOffDays = 30;

    private readonly HashSet<string> _eligible;

    private ItemExploration(double weight, HashSet<string> eligible)
    {
        Weight = weight;
        _eligible = eligible;
    }

    public double Weight { get; }

    /// <summary>
    /// The settings of a config map, or null when the map is empty. A bad key or value throws InvalidDataException
    /// naming <paramref name="field"/> and the key.
    /// </summary>
    public static (double Weight, double AgeCutOffDays)? Parse(IReadOnlyDictionary<string, string>? config, string field)
    {
        if (config is null || config.Count == 0)
        {
            return null;
        }

        foreach (var key in config.Keys.Where(k => k is not (WeightKey or AgeCutOffKey)))
        {
            throw new InvalidDataException($"{field}.{key}: not an exploration setting (known: {WeightKey}, {AgeCutOffKey}).");
        }

        var weight = Number(config, field, WeightKey, DefaultWeight);
        var cutOff = Number(config, field, AgeCutOffKey, DefaultAgeCutOffDays);
        return weight is < 0 or > 1 ? throw new InvalidDataException($"{field}.{WeightKey}: {weight} is not between 0 and 1.")
            : cutOff <= 0 ? throw new InvalidDataException($"{field}.{AgeCutOffKey}: {cutOff} days is not positive.")
            : (weight, cutOff);
    }

    /// <summary>Exploration over a model's catalogue, or null when the config asks for none.</summary>
    public static ItemExploration? Create(IReadOnlyDictionary<string, string>? config, string field, ModelArtifact artifact)
    {
        if (Parse(config, field) is not var (weight, cutOff))
        {
            return null;
        }

        var items = artifact.Vocabulary.Items;
        var popularity = artifact.Tensor(TensorNames.ItemPopularity).RequireFloats(TensorNames.ItemPopularity);
        var lowQuarter = popularity.Order().ElementAtOrDefault(popularity.Length / 4);
        var ages = artifact.Tensors.GetValueOrDefault(TensorNames.ItemAgeDays)?.RequireFloats(TensorNames.ItemAgeDays);
        var eligible = Enumerable.Range(0, items.Count)
            .Where(row => popularity[row] <= lowQuarter || (ages is not null && ages[row] <= cutOff))
            .Select(row => items[row])
            .ToHashSet(StringComparer.Ordinal);
        return new ItemExploration(weight, eligible);
    }

    public bool IsExplorationItem(string itemId) => _eligible.Contains(itemId);

    /// <summary>round(weight × NumResults) of the model's best exploration items, spread through its best other items.</summary>
    public async ValueTask<IReadOnlyList<RecommendedItem>> RecommendAsync(
        RecommendationRequest request, Func<RecommendationRequest, CancellationToken, ValueTask<IReadOnlyList<RecommendedItem>>> ask, CancellationToken cancellationToken = default)
    {
        var count = (int)Math.Round(Weight * request.NumResults, MidpointRounding.AwayFromZero);
        if (count == 0)
        {
            return await ask(request, cancellationToken);
        }

        var allowed = request.IsCandidate;
        var explored = await ask(request with { NumResults = count, IsCandidate = id => _eligible.Contains(id) && (allowed is null || allowed(id)) }, cancellationToken);
        var taken = explored.Select(i => i.ItemId).ToHashSet(StringComparer.Ordinal);
        var exploited = await ask(request with { NumResults = request.NumResults - explored.Count, IsCandidate = id => !taken.Contains(id) && (allowed is null || allowed(id)) }, cancellationToken);
        return RecommendationLists.Spread(explored, exploited);
    }

    private static double Number(IReadOnlyDictionary<string, string> config, string field, string key, double fallback) =>
        !config.TryGetValue(key, out var text) ? fallback
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
            : throw new InvalidDataException($"{field}.{key}: \"{text}\" is not a number.");
}
