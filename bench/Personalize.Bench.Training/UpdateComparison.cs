using System.Diagnostics;
using System.Globalization;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Training;

/// <summary>
/// `--update F`: trainingMode UPDATE against FULL. A FULL aws-hrnn model trains on all but the newest fraction F of
/// the interactions (by time); UPDATE continues it on all of them; a FULL model on all of them is the reference. Both
/// are evaluated on the same held-out users (the split is seeded), so the ratio of training times and the metric
/// change compare like with like.
/// </summary>
internal static class UpdateComparison
{
    public static async Task RunAsync(IObjectStore store, TrainingData data, HrnnSettings settings, IReadOnlyDictionary<string, string> hyperParameters, double newFraction)
    {
        var times = data.Interactions.Select(i => i.Timestamp).Order().ToArray();
        var cut = times[(int)Math.Clamp((1 - newFraction) * times.Length, 0, times.Length - 1)];
        var old = new TrainingData { Interactions = data.Interactions.Where(i => i.Timestamp <= cut).ToList(), ItemTokens = data.ItemTokens, UserTokens = data.UserTokens };
        var recipe = Recipes.Find(Recipes.Hrnn)!;
        var trainer = new RecipeTrainer(store, null, (_, _) => Task.CompletedTask, settings);

        var (baseModel, baseSeconds) = await Timed(() => trainer.TrainAsync(recipe, hyperParameters, old, validate: false, CancellationToken.None));
        var (updated, updateSeconds) = await Timed(() => trainer.UpdateAsync(baseModel.Artifact, data, CancellationToken.None));
        var (full, fullSeconds) = await Timed(() => trainer.TrainAsync(recipe, hyperParameters, data, validate: false, CancellationToken.None));

        var newItems = updated.Artifact.Vocabulary.Items.Count - baseModel.Artifact.Vocabulary.Items.Count;
        Console.Error.WriteLine($"{data.Interactions.Count - old.Interactions.Count} new interactions after the cut, {newItems} new items");
        Console.WriteLine("| training | data | train CPU s | CPU time vs FULL on all | coverage | MRR@25 | NDCG@10 | P@25 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        Row("FULL (the base)", $"oldest {1 - newFraction:P0}", baseSeconds, fullSeconds, baseModel.Metrics);
        Row("UPDATE of the base", "all", updateSeconds, fullSeconds, updated.Metrics);
        Row("FULL (reference)", "all", fullSeconds, fullSeconds, full.Metrics);
    }

    /// <summary>CPU seconds of this process (TorchSharp's threads included): on a shared machine wall time mostly measures the neighbours.</summary>
    private static async Task<(TrainedModel Model, double Seconds)> Timed(Func<Task<TrainedModel>> train)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var model = await train();
        var seconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.Error.WriteLine($"  {seconds:F1} CPU s, {clock.Elapsed.TotalSeconds:F1} wall s");
        return (model, seconds);
    }

    private static void Row(string training, string data, double seconds, double reference, Dictionary<string, double> m)
    {
        string F(string key) => m[key].ToString("F4", CultureInfo.InvariantCulture);
        Console.WriteLine(
            $"| {training} | {data} | {seconds:F1} | {seconds / reference:F2} | {F("coverage")} | {F("mean_reciprocal_rank_at_25")} | " +
            $"{F("normalized_discounted_cumulative_gain_at_10")} | {F("precision_at_25")} |");
    }
}
