using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Recipes;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>Shared fast settings: small networks and few epochs, so each recipe trains in seconds on two cores.</summary>
internal static class Training
{
    // One thread: the test machine is shared, and TorchSharp's thread pool slows down badly when cores are oversubscribed.
    public static readonly HrnnSettings Fast = new() { Epochs = 5, BatchSize = 64, LearningRate = 0.02, Threads = 1 };

    public static readonly Dictionary<string, string> FastHrnn = new() { ["hidden_dimension"] = "32", ["bptt"] = "16" };

    /// <summary><paramref name="settings"/> replaces <see cref="Fast"/>; <paramref name="progress"/> receives the training's progress.</summary>
    public static Task<TrainedModel> TrainAsync(
        string recipeName, TrainingData data, IObjectStore? store = null, S3Uri? checkpoints = null, Dictionary<string, string>? overrides = null,
        HrnnSettings? settings = null, Func<JobProgress, CancellationToken, Task>? progress = null)
    {
        var recipe = Recipes.Find(recipeName)!;
        var hyperParameters = recipe.Resolve(recipe.HyperParameters.Any(h => h.Name == "bptt") ? overrides ?? FastHrnn : overrides, null);
        var trainer = new RecipeTrainer(store ?? new FolderObjectStore(Path.GetTempPath()), checkpoints, progress ?? Ignore, settings ?? Fast);
        return trainer.TrainAsync(recipe, hyperParameters, data, validate: false, CancellationToken.None);
    }

    public static Func<JobProgress, CancellationToken, Task> Ignore => (_, _) => Task.CompletedTask;

    /// <summary>A progress callback that appends what the training reports to <paramref name="progress"/>.</summary>
    public static Func<JobProgress, CancellationToken, Task> Record(List<JobProgress> progress) => (p, _) =>
    {
        progress.Add(p);
        return Task.CompletedTask;
    };

    /// <summary>The GRU cell the runtime serves <paramref name="model"/> with: its <see cref="GruCell.Blocks"/> are the networks side by side.</summary>
    public static GruCell ServedGru(ModelArtifact model)
    {
        var hidden = (int)model.Tensor(TensorNames.GruWeightHh).Shape[^1];
        return new GruCell(
            model.Tensor(TensorNames.GruWeightIh).Floats!, model.Tensor(TensorNames.GruWeightHh).Floats!, model.Tensor(TensorNames.GruBiasIh).Floats!,
            model.Tensor(TensorNames.GruBiasHh).Floats!, hidden, hidden);
    }
}
