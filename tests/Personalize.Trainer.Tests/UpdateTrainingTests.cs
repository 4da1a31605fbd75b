using System.Numerics.Tensors;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Models.Artifacts;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Training;
using static TorchSharp.torch;

namespace Personalize.Trainer.Tests;

/// <summary>trainingMode UPDATE: the latest FULL version's weights are the start, and new items and interactions come in.</summary>
public sealed class UpdateTrainingTests
{
    // aws-user-personalization's automatic updates are this warm start: new items become recommendable without a full training.
    [Theory]
    [InlineData(Recipes.Hrnn, false)]
    [InlineData(Recipes.UserPersonalization, false)]
    // Rating data may serve networks averaged, as one network of their widths: an UPDATE continues that network, its members
    // still apart (the served cell steps them one by one).
    [InlineData(Recipes.Hrnn, true)]
    public async Task Update_ContinuesTheBaseModel_AndLearnsTheNewItemsAndInteractions(string recipe, bool paired)
    {
        var taste = TasteData.Create(users: 200);
        var old = new TrainingData { Interactions = taste.Interactions, ItemTokens = taste.ItemTokens };
        var full = (await Training.TrainAsync(recipe, old)).Artifact;
        if (paired)
        {
            full = Paired(full);
        }

        // Later, every user walks the new items of their genre.
        var later = taste.Interactions.Max(i => i.Timestamp) + 3600;
        var fresh = Enumerable.Range(0, 200).SelectMany(u => Enumerable.Range(0, TasteData.NewItemsPerGenre)
            .Select(k => new Interaction($"u{u}", $"g{u % TasteData.Genres}-new{k}", later + (k * 3600))));
        var data = new TrainingData { Interactions = [.. taste.Interactions, .. fresh], ItemTokens = taste.ItemTokens };

        var trainer = new RecipeTrainer(new FolderObjectStore(Path.GetTempPath()), null, Training.Ignore, Training.Fast);
        var updated = await trainer.UpdateAsync(full, data, CancellationToken.None);

        var known = full.Vocabulary.Items;
        Assert.Equal(known, updated.Artifact.Vocabulary.Items.Take(known.Count));
        Assert.Equal(recipe, updated.Artifact.Manifest.Recipe);
        Assert.Equal(TasteData.Genres * TasteData.NewItemsPerGenre, updated.Artifact.Vocabulary.Items.Count - known.Count);
        // Started from the base: the known items' output vectors moved a little, not from scratch.
        Assert.Equal(full.Tensor(TensorNames.GruWeightHh).Shape, updated.Artifact.Tensor(TensorNames.GruWeightHh).Shape);
        Assert.True(Similarity(full, updated.Artifact, known.Count) > 0.8, "the known items' vectors are not the base model's");
        Assert.Equal(paired ? 2 : 1, Training.ServedGru(updated.Artifact).Blocks);

        var model = RecommenderFactory.Create(updated.Artifact);
        var fitting = 0;
        foreach (var user in Enumerable.Range(0, 50).Select(u => $"u{u}"))
        {
            var items = await model.RecommendAsync(new RecommendationRequest { UserId = user, NumResults = 2, IsCandidate = id => id.Contains("-new", StringComparison.Ordinal) });
            fitting += items.Count(i => TasteData.Genre(i.ItemId) == TasteData.UserGenre(user));
        }

        // Chance is one in five genres.
        Assert.True(fitting >= 80, $"{fitting} of 100 new-item recommendations fit the user's genre");
        Assert.True(updated.Metrics["normalized_discounted_cumulative_gain_at_10"] > 0);
    }

    [Fact]
    public async Task Update_OfARecipeWithoutIncrementalTraining_IsRefused()
    {
        var data = TasteData.Create(users: 50);
        var sims = await Training.TrainAsync(Recipes.Sims, data);
        var trainer = new RecipeTrainer(new FolderObjectStore(Path.GetTempPath()), null, Training.Ignore, Training.Fast);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => trainer.UpdateAsync(sims.Artifact, data, CancellationToken.None));

        Assert.Contains("trainingMode UPDATE", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The model's network paired with itself (the same scores, twice the width), exported as training exports a pair.</summary>
    private static ModelArtifact Paired(ModelArtifact model)
    {
        var window = model.Manifest.HistoryWindow!.Value;
        using var network = new HrnnNetwork(model.Vocabulary.Items.Count, model.Tensor(TensorNames.GruWeightHh).Shape[^1], 0, 0, window, CPU);
        HrnnWarmStart.From(model, model.Vocabulary.Items, new Dictionary<string, IReadOnlyList<string>>())(network);
        using var pair = HrnnNetwork.Mean([(network, 1), (network, 1)], window);
        var tensors = model.Tensors.ToDictionary();
        foreach (var (name, value) in HrnnExport.Tensors(pair, null, null, null))
        {
            tensors[name] = value;
        }

        return new ModelArtifact(model.Manifest, model.Vocabulary, tensors);
    }

    /// <summary>Mean cosine similarity of the first rows of two models' item output vectors.</summary>
    private static double Similarity(ModelArtifact a, ModelArtifact b, int rows)
    {
        var left = a.Tensor(TensorNames.ItemOutput).Floats!;
        var right = b.Tensor(TensorNames.ItemOutput).Floats!;
        var hidden = left.Length / a.Vocabulary.Items.Count;
        return Enumerable.Range(0, rows)
            .Average(r => TensorPrimitives.CosineSimilarity(left.AsSpan(r * hidden, hidden), right.AsSpan(r * hidden, hidden)));
    }
}
