namespace Personalize.Bench.Baselines;

/// <summary>
/// One tuned baseline: the setting chosen on the validation users, how long its final fit took, and its metrics on the
/// held-out test users (those the recipes report on), averaged and each user's NDCG@10.
/// </summary>
public sealed record BaselineResult(
    string Name, string Setting, bool ExcludesSeen, double FitSeconds, Dictionary<string, double> Metrics, IReadOnlyDictionary<string, double> Ndcg10ByUser);
