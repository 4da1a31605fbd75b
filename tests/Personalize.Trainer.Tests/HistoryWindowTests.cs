using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Evaluation;
using Personalize.Models.Recipes;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Training;
using static TorchSharp.torch;

namespace Personalize.Trainer.Tests;

/// <summary>
/// bptt bounds how far back gradients reach, not how far back the model reads: where users never repeat items,
/// validation chooses between reading bptt items and the whole stored history, and the served scorer reads what the
/// model was trained to read.
/// </summary>
[Collection(SeededTrainingCollection.Name)]
public sealed class HistoryWindowTests
{
    private static readonly HrnnSettings Settings = Training.Fast with { Epochs = 6, MinEpochs = 6 };

    [Fact]
    public async Task WhereTheTasteLiesBeforeTheBpttWindow_ValidationKeepsTheWholeHistory_AndServingReadsIt()
    {
        var data = TasteBeforeTheWindow();
        var progress = new List<JobProgress>();

        var bpttOnly = await Training.TrainAsync(Recipes.Hrnn, data, settings: Settings with { Window = 16 });
        var chosen = await Training.TrainAsync(Recipes.Hrnn, data, settings: Settings, progress: Training.Record(progress));

        var choice = Assert.Single(progress, p => p.Stage == HrnnTrainer.HistoryWindowStage && p.Message?.StartsWith("kept ", StringComparison.Ordinal) == true);
        // A whole-history model alone, or averaged with the others: either way the served model reads the whole history.
        var kept = choice.Message!.Split(';')[0];
        Assert.Contains($"whole stored history ({ArtifactBuilder.StoredHistoryLength} items)", kept, StringComparison.Ordinal);
        Assert.Equal(ArtifactBuilder.StoredHistoryLength, chosen.Artifact.Manifest.HistoryWindow);
        Assert.Equal(16, bpttOnly.Artifact.Manifest.HistoryWindow);
        // The model the horizon's choice set aside is a candidate too, named with the targets it was trained on.
        Assert.Contains("items, trained on the next", choice.Message!.Split(';')[1], StringComparison.Ordinal);
        // What is served is what the choice says: one network, or one GRU per model the mean names, side by side.
        Assert.Equal(Math.Max(1, kept.Count(c => c == '×')), Training.ServedGru(chosen.Artifact).Blocks);
        // The test users' metrics come from the served scorer, so they show that it reads the whole history too.
        var whole = chosen.SeenExcludedMetrics[OfflineMetrics.NdcgName(10)];
        var last16 = bpttOnly.SeenExcludedMetrics[OfflineMetrics.NdcgName(10)];
        Assert.True(whole > last16 * 1.5, $"NDCG@10 reading the whole history {whole:F4}, the last 16 items {last16:F4}");
    }

    [Fact]
    public async Task AnUpdate_KeepsItsBaseModelsWindow_WithoutChoosingAgain()
    {
        var data = TasteBeforeTheWindow();
        var full = await Training.TrainAsync(Recipes.Hrnn, data, settings: Settings);
        Assert.Equal(ArtifactBuilder.StoredHistoryLength, full.Artifact.Manifest.HistoryWindow);
        var later = data.Interactions.Max(i => i.Timestamp) + 60;
        var newer = new TrainingData { Interactions = [.. data.Interactions, .. Enumerable.Range(0, 100).Select(u => new Interaction($"u{u}", $"g{u % 12}-new", later))] };
        var progress = new List<JobProgress>();

        var trainer = new RecipeTrainer(new FolderObjectStore(Path.GetTempPath()), null, Training.Record(progress), Settings);
        var updated = await trainer.UpdateAsync(full.Artifact, newer, CancellationToken.None);

        // The base's weights learned to read its window.
        Assert.Equal(ArtifactBuilder.StoredHistoryLength, updated.Artifact.Manifest.HistoryWindow);
        Assert.DoesNotContain(progress, p => p.Stage == HrnnTrainer.HistoryWindowStage);
    }

    [Fact]
    public async Task WhereUsersRepeatItems_TheModelReadsBpttItems_WithoutTrainingAnotherWindow()
    {
        var progress = new List<JobProgress>();
        var trained = await Training.TrainAsync(Recipes.Hrnn, TasteData.Create(users: 100), settings: Settings, progress: Training.Record(progress));

        Assert.Equal(16, trained.Artifact.Manifest.HistoryWindow);
        Assert.DoesNotContain(progress, p => p.Stage == HrnnTrainer.HistoryWindowStage);
    }

    [Fact]
    public void ReadingAWindowInBpttPieces_ChangesTheGradients_NotTheStates()
    {
        manual_seed(3);
        using var network = new HrnnNetwork(50, 12, 0, 0, 40, CPU);
        var (input, _, _) = network.ItemTables(null, null);
        // Item 0 only at the first step, so its input row's gradient comes from there alone.
        using var items = tensor(Enumerable.Range(0, 3 * 40).Select(i => i % 40 == 0 ? 0L : 1 + (i % 49)).ToArray(), [3, 40]);

        using var whole = network.States(input, items, null);
        using var pieces = network.States(input, items, null, truncateEvery: 8);
        using var difference = (whole - pieces).abs().max();
        Assert.True(difference.item<float>() < 1e-6f, $"largest difference {difference.item<float>()}");

        // The first item reaches the last state's gradient only when nothing cuts it.
        Assert.NotEqual(0f, FirstItemGradient(network, items, int.MaxValue));
        Assert.Equal(0f, FirstItemGradient(network, items, 8));
    }

    [Fact]
    public void TheServedScorer_ReadsTheManifestsWindow_AndOlderModelsReadBptt()
    {
        manual_seed(4);
        var data = UserSequences.Build(TasteData.Create(users: 20).Interactions);
        using var network = new HrnnNetwork(data.ItemIds.Count, 12, 0, 0, 60, CPU);
        network.eval();
        var history = Enumerable.Range(0, 60).Select(i => (i * 7) % data.ItemIds.Count).ToArray();

        HrnnRecommender Served(int? window) => (HrnnRecommender)RecommenderFactory.Create(ArtifactBuilder.Build(
            new ModelManifest { Scorer = ScorerKinds.Hrnn, HyperParameters = new() { ["bptt"] = "8" }, HistoryWindow = window },
            data,
            data,
            HrnnExport.Tensors(network, null, null, null)));

        Assert.Equal(Expected(network, history), Served(60).UserState(null, history), new FloatTolerance(1e-4f));
        Assert.Equal(Expected(network, history[^8..]), Served(null).UserState(null, history), new FloatTolerance(1e-4f));
    }

    [Fact]
    public void NetworksAveraged_ScoreTheWeightedMeanOfTheirLogits_AndServeAsOnePlainHrnn()
    {
        manual_seed(5);
        var data = UserSequences.Build(TasteData.Create(users: 20).Interactions);
        var itemTokens = TokenMatrix.Build(data.ItemIds, data.ItemIds.ToDictionary(id => id, id => (IReadOnlyList<string>)[$"genre={id.Length % 3}"]));
        var userTokens = TokenMatrix.Build(data.UserIds, data.UserIds.ToDictionary(id => id, id => (IReadOnlyList<string>)[$"age={id.Length % 2}"]));
        HrnnNetwork Network(int hidden)
        {
            var network = new HrnnNetwork(data.ItemIds.Count, hidden, itemTokens.Tokens, userTokens.Tokens, 60, CPU, contextTokens: 2);
            using var noGrad = no_grad();
            foreach (var parameter in network.parameters())
            {
                // Biases and the context table start at zero: random values make how they are averaged show.
                parameter.normal_(0, 0.3);
            }

            network.eval();
            return network;
        }

        using var a = Network(12);
        using var b = Network(8);
        using var c = Network(4);
        using var mean = HrnnNetwork.Mean([(a, 1), (b, 2), (c, 0.5)], 60);
        Assert.Equal(24, mean.Hidden);

        // In the network: metadata tables, initial states, the GRU and the context shift, all as the trainer's validation scores.
        using var matrix = tensor(itemTokens.Weights, [itemTokens.Rows, itemTokens.Tokens]);
        using var users = tensor(userTokens.Weights, [userTokens.Rows, userTokens.Tokens]);
        using var contexts = tensor(new[] { 0f, 0f, 0.5f, 0.5f, 1f, 0f }, [3, 2]);
        using var histories = tensor(Enumerable.Range(0, 3 * 30).Select(i => (long)((i * 7) % data.ItemIds.Count)).ToArray(), [3, 30]);
        using var rows = tensor(new long[] { 0, 1, 2 });
        Tensor Logits(HrnnNetwork network)
        {
            var (input, output, bias) = network.ItemTables(matrix, null);
            var states = network.States(input, histories, network.InitialStates(users.index_select(0, rows)))[.., -1, ..] + network.ContextShift(contexts, rows);
            return states.mm(output.t()) + bias;
        }

        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var difference = (Logits(mean) - ((Logits(a) + (2 * Logits(b)) + (0.5 * Logits(c))) / 3.5)).abs().max().item<float>();
            Assert.True(difference < 1e-4f, $"largest difference {difference}");
        }

        // Served: the exported mean is a plain HRNN artifact whose logits are the weighted mean of the exported networks'.
        HrnnRecommender Served(HrnnNetwork network)
        {
            var artifact = ArtifactBuilder.Build(new ModelManifest { Scorer = ScorerKinds.Hrnn, HistoryWindow = 60 }, data, data, HrnnExport.Tensors(network, itemTokens, userTokens, null));
            artifact.Vocabulary.ContextTokens = ["DEVICE=phone", "DEVICE=tv"];
            return (HrnnRecommender)RecommenderFactory.Create(artifact);
        }

        var history = Enumerable.Range(0, 80).Select(i => (i * 11) % data.ItemIds.Count).ToArray();
        float[] ServedLogits(HrnnNetwork network)
        {
            var served = Served(network);
            return served.Logits(served.UserState(3, history));
        }

        var expected = ServedLogits(a).Zip(ServedLogits(b), ServedLogits(c)).Select(l => (l.First + (2 * l.Second) + (0.5f * l.Third)) / 3.5f).ToArray();
        Assert.Equal(expected, ServedLogits(mean), new FloatTolerance(1e-3f));

        // A mean keeps a network's scale: a network averaged with itself, at any weights, serves its own logits.
        using var itself = HrnnNetwork.Mean([(a, 1), (a, 3)], 60);
        Assert.Equal(ServedLogits(a), ServedLogits(itself), new FloatTolerance(1e-3f));
    }

    [Fact]
    public void AChoice_ServesWhatValidationScored_AMemberAddedToItselfReadsTheMeansWindow()
    {
        using var bptt = new HrnnNetwork(20, 8, 0, 0, 16, CPU);
        using var whole = new HrnnNetwork(20, 4, 0, 0, 60, CPU);
        IReadOnlyList<HrnnNetwork> members = [bptt, whole];

        // No step taken: the best model is served as it was trained, reading its own window.
        Assert.Same(bptt, HrnnTrainer.Served(members, [1, 0], 0, 60));

        // Added to itself, the weights change nothing, but the mean validation scored read 60 items, not 16.
        using var itself = HrnnTrainer.Served(members, [2, 0], 0, 60);
        Assert.NotSame(bptt, itself);
        Assert.Equal((60, 8), (itself.Window, itself.Hidden));

        using var pair = HrnnTrainer.Served(members, [1, 2], 0, 60);
        Assert.Equal((60, 12), (pair.Window, pair.Hidden));
    }

    private static float FirstItemGradient(HrnnNetwork network, Tensor items, int truncateEvery)
    {
        using var scope = NewDisposeScope();
        network.zero_grad();
        var (input, _, _) = network.ItemTables(null, null);
        network.States(input, items, null, truncateEvery: truncateEvery)[.., -1, ..].sum().backward();
        return input.grad is { } gradient ? gradient[0].abs().sum().item<float>() : throw new InvalidOperationException("The item table has no gradient.");
    }

    private static float[] Expected(HrnnNetwork network, int[] window)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (input, _, _) = network.ItemTables(null, null);
        return network.States(input, tensor(window.Select(i => (long)i).ToArray(), [1, window.Length]), null)[0, -1].data<float>().ToArray();
    }

    /// <summary>
    /// Rating-shaped (each user has an item once), planted so that the taste lies only before the bptt window: each
    /// user likes one of 12 genres of 30 items, rates 8 of them, then 24 of the 40 popular items, then genre items
    /// again, which the newest 10% (the truth) are.
    /// </summary>
    private static TrainingData TasteBeforeTheWindow()
    {
        const int genres = 12;
        const int perGenre = 30;
        var random = new Random(9);
        var interactions = new List<Interaction>();
        for (var u = 0; u < 600; u++)
        {
            var genre = u % genres;
            var genreItems = Enumerable.Range(0, perGenre).OrderBy(_ => random.Next()).Select(i => $"g{genre}-{i}").ToList();
            var popular = Enumerable.Range(0, 40).OrderBy(_ => random.Next()).Take(24).Select(i => $"p{i}");
            var history = genreItems.Take(8).Concat(popular).Concat(genreItems.Skip(8).Take(4));
            interactions.AddRange(history.Select((item, t) => new Interaction($"u{u}", item, 1_700_000_000 + (t * 60))));
        }

        return new TrainingData { Interactions = interactions };
    }
}
