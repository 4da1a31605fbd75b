using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Training;
using static TorchSharp.torch;

namespace Personalize.Trainer.Tests;

/// <summary>
/// The HRNN family's co-occurrence term: EASE's item-item weights, factored, added to the network's logits where
/// validation users show it helps; the served scorer adds it exactly as validation scored it.
/// </summary>
[Collection(SeededTrainingCollection.Name)]
public sealed class CoOccurrenceTermTests
{
    [Fact]
    public async Task WhereItemsGoTogetherInManySmallSets_ValidationAddsTheTerm_AndTheServedModelCarriesIt()
    {
        var progress = new List<JobProgress>();

        var model = await Training.TrainAsync(Recipes.Hrnn, SmallSets(), settings: Training.Fast with { Epochs = 6, MinEpochs = 6 }, progress: Training.Record(progress));

        var choice = Assert.Single(progress, p => p.Stage == HrnnTrainer.CoOccurrenceStage);
        var report = model.Artifact.Manifest.CoOccurrence!;
        Assert.True(report.Used, choice.Message);
        Assert.Equal(report.Reason, choice.Message);
        Assert.True(report.NdcgAt10With > report.NdcgAt10Without + report.StandardError, report.Reason);
        var items = model.Artifact.Vocabulary.Items.Count;
        Assert.Equal([items, report.Rank], model.Artifact.Tensor(TensorNames.HistoryItemInput).Shape);
        var hidden = model.Artifact.Tensor(TensorNames.GruWeightHh).Shape[^1];
        Assert.Equal([items, hidden + report.Rank], model.Artifact.Tensor(TensorNames.ItemOutput).Shape);
        Assert.Equal(hidden + report.Rank, ((HrnnRecommender)RecommenderFactory.Create(model.Artifact)).StateSize);
    }

    [Fact]
    public async Task AnUpdate_FitsTheBasesTermAgain_SoNewItemsGetTheirCoOccurrence()
    {
        var data = SmallSets();
        var settings = Training.Fast with { Epochs = 6, MinEpochs = 6 };
        var full = await Training.TrainAsync(Recipes.Hrnn, data, settings: settings);
        Assert.True(full.Artifact.Manifest.CoOccurrence!.Used, full.Artifact.Manifest.CoOccurrence.Reason);
        var later = data.Interactions.Max(i => i.Timestamp) + 60;
        // A new item that every user of set 0's first item takes next.
        var newer = new TrainingData
        {
            Interactions = [.. data.Interactions, .. data.Interactions.Where(i => i.ItemId == "s0-0").Select(i => new Interaction(i.UserId, "s0-new", later))],
        };

        var trainer = new RecipeTrainer(new FolderObjectStore(Path.GetTempPath()), null, Training.Ignore, settings);
        var updated = await trainer.UpdateAsync(full.Artifact, newer, CancellationToken.None);

        Assert.Equal(full.Artifact.Manifest.CoOccurrence.Lambda, updated.Artifact.Manifest.CoOccurrence!.Lambda);
        // The report describes the refitted term (the new item is covered), and the base's manifest is left as it was.
        Assert.Equal(full.Artifact.Vocabulary.Items.Count, full.Artifact.Manifest.CoOccurrence.Items);
        Assert.Equal(full.Artifact.Vocabulary.Items.Count + 1, updated.Artifact.Manifest.CoOccurrence.Items);
        Assert.Equal(1.0, updated.Artifact.Manifest.CoOccurrence.PairShare, 6);
        Assert.StartsWith(
            $"co-occurrence term fitted again for this UPDATE with the base's EASE λ {full.Artifact.Manifest.CoOccurrence.Lambda.ToString(System.Globalization.CultureInfo.InvariantCulture)} and weight {full.Artifact.Manifest.CoOccurrence.Weight.ToString(System.Globalization.CultureInfo.InvariantCulture)}, over {updated.Artifact.Manifest.CoOccurrence.Items} items",
            updated.Artifact.Manifest.CoOccurrence.Reason,
            StringComparison.Ordinal);
        var rank = updated.Artifact.Manifest.CoOccurrence.Rank;
        var row = updated.Artifact.Vocabulary.Items.IndexOf("s0-new");
        var factors = updated.Artifact.Tensor(TensorNames.HistoryItemInput).RequireFloats(TensorNames.HistoryItemInput);
        Assert.Contains(factors.AsSpan(row * rank, rank).ToArray(), f => f != 0);
        // Served: the new item ranks high for a user who has s0-0 and others of its set.
        var recommender = RecommenderFactory.Create(updated.Artifact);
        var top = await recommender.RecommendAsync(new RecommendationRequest { UserId = "someone-new", RecentItems = ["s0-0", "s0-1", "s0-2"], NumResults = 10 });
        Assert.Contains("s0-new", top.Select(r => r.ItemId));
    }

    [Fact]
    public async Task TheServedScorer_AddsTheSummedHistoryFactors_AsValidationScoresThem_CachedOrNot()
    {
        manual_seed(6);
        var data = UserSequences.Build(RatingData.Create().Interactions);
        using var network = new HrnnNetwork(data.ItemIds.Count, 12, 0, 0, 60, CPU);
        using (no_grad())
        {
            foreach (var parameter in network.parameters())
            {
                parameter.normal_(0, 0.3);
            }
        }

        network.eval();
        network.CoOccurrence = CoOccurrenceTerm.Fit(data, 100, 2, 42, CPU);
        var history = Enumerable.Range(0, 80).Select(i => (i * 7) % data.ItemIds.Count).ToArray();

        // What validation adds: the sum of the window's history factors, scored by the output factors.
        float[] expected;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var window = tensor(history[^60..].Select(i => (long)i).ToArray(), [1, 60]);
            var (input, output, bias) = network.ItemTables(null, null);
            var state = network.States(input, window, null)[.., -1, ..];
            var term = network.CoOccurrence.Input.index_select(0, window.flatten()).sum([0L], keepdim: true);
            expected = (state.mm(output.t()) + bias + term.mm(network.CoOccurrence.Output.t()))[0].data<float>().ToArray();
        }

        var artifact = ArtifactBuilder.Build(new ModelManifest { Scorer = ScorerKinds.Hrnn, HistoryWindow = 60 }, data, data, HrnnExport.Tensors(network, null, null, null));
        var served = (HrnnRecommender)RecommenderFactory.Create(artifact, new ScoringSettings { Quantize = false, UserStateCacheSize = 0 });
        Assert.Equal(expected, served.Logits(served.UserState(null, history)), new FloatTolerance(1e-3f));

        // A cached state lengthened by one event adds that item's factors, as recomputing does.
        var cached = (HrnnRecommender)RecommenderFactory.Create(artifact, new ScoringSettings { Quantize = false, UserStateCacheSize = 16 });
        var events = history[..30].Select(i => data.ItemIds[i]).ToList();
        await cached.RecommendAsync(new RecommendationRequest { UserId = "u0", RecentItems = events });
        var lengthened = new RecommendationRequest { UserId = "u0", RecentItems = [.. events, data.ItemIds[history[30]]], NumResults = 50 };
        Assert.Equal(await served.RecommendAsync(lengthened), await cached.RecommendAsync(lengthened));
    }

    [Fact]
    public void AnArtifactWhoseTermDoesNotFitItsItems_IsRefused_NamingTheTensor()
    {
        var data = UserSequences.Build(RatingData.Create().Interactions);
        using var network = new HrnnNetwork(data.ItemIds.Count, 12, 0, 0, 60, CPU);
        network.CoOccurrence = CoOccurrenceTerm.Fit(data, 100, 2, 42, CPU);
        var tensors = HrnnExport.Tensors(network, null, null, null);
        var items = data.ItemIds.Count;
        var rank = network.CoOccurrence.Width;
        ModelArtifact With(string name, SafeTensor tensor) =>
            ArtifactBuilder.Build(new ModelManifest { Scorer = ScorerKinds.Hrnn, HistoryWindow = 60 }, data, data, new Dictionary<string, SafeTensor>(tensors) { [name] = tensor });

        var shortFactors = With(TensorNames.HistoryItemInput, SafeTensor.FromFloats(new float[(items - 1) * rank], items - 1, rank));
        var refused = Assert.Throws<InvalidDataException>(() => RecommenderFactory.Create(shortFactors));
        Assert.Contains(TensorNames.HistoryItemInput, refused.Message, StringComparison.Ordinal);

        // An output table with the GRU's columns only: the message says how many the term needs.
        var narrowOutput = With(TensorNames.ItemOutput, SafeTensor.FromFloats(new float[items * 12], items, 12));
        refused = Assert.Throws<InvalidDataException>(() => RecommenderFactory.Create(narrowOutput));
        Assert.Contains($"{TensorNames.ItemOutput} needs {12 + rank} columns", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ItemsBeyondTheCap_AreScoredByTheirOwnRidgeRegression_SoTheirSetMatesLiftThem()
    {
        var data = UserSequences.Build(SmallSets().Interactions);
        var cap = data.ItemIds.Count / 2;
        using var term = CoOccurrenceTerm.Fit(data, 100, 1, 42, CPU, cap);
        var covered = CoOccurrenceTerm.CoveredItems(data, cap).Select(r => (int)r).ToHashSet();
        var beyond = Enumerable.Range(0, data.ItemIds.Count).Where(r => !covered.Contains(r)).ToArray();
        Assert.Equal(cap, term.Items);
        Assert.InRange(term.PairShare, 0.3, 0.7);

        // Beyond the cap an item adds nothing as history, and is scored as an output.
        using var beyondRows = tensor(beyond.Select(r => (long)r).ToArray());
        Assert.Equal(0f, term.Input.index_select(0, beyondRows).abs().max().item<float>());
        string Set(int row) => data.ItemIds[row].Split('-')[0];

        // How often a user's unseen set-mates beyond the cap rank first among the items beyond it (by chance: about
        // 1%), scored from the covered items of the history (the others add nothing).
        double MatesFirst(CoOccurrenceTerm scoring)
        {
            var found = new List<double>();
            for (var u = 0; u < 50; u++)
            {
                var history = data.Sequences[u].ToHashSet();
                var sets = history.Select(Set).ToHashSet(StringComparer.Ordinal);
                var candidates = beyond.Where(r => !history.Contains(r)).ToArray();
                var mates = candidates.Count(r => sets.Contains(Set(r)));
                using var scope = NewDisposeScope();
                var state = scoring.Input.index_select(0, tensor(history.Where(covered.Contains).Select(r => (long)r).ToArray())).sum([0L], keepdim: true);
                var scores = state.mm(scoring.Output.t())[0].data<float>().ToArray();
                found.Add(candidates.OrderByDescending(r => scores[r]).Take(mates).Count(r => sets.Contains(Set(r))) / (double)mates);
            }

            return found.Average();
        }

        // Nearly as often as a term that covers every item (the rank, 64 for 120 sets, bounds both).
        using var uncapped = CoOccurrenceTerm.Fit(data, 100, 1, 42, CPU, data.ItemIds.Count);
        var (capped, reference) = (MatesFirst(term), MatesFirst(uncapped));
        Assert.True(capped > 0.4 && capped > 0.75 * reference, $"set-mates beyond the cap ranked first: {capped:F3}, {reference:F3} with every item covered");
    }

    [Fact]
    public void ACoveredItemThatGoesWithNothing_LeavesTheItemsBeyondTheCapAtTheCoveredItemsScale()
    {
        // "alone" is the most interacted item and no user has it with another, so EASE's matrix has a zero row and
        // column and one of the three directions no singular value: an item beyond the cap must not be divided by it.
        var interactions = new List<Interaction>();
        void User(string user, params string[] items) => interactions.AddRange(items.Select((item, i) => new Interaction(user, item, 1_700_000_000 + i)));
        for (var u = 0; u < 40; u++)
        {
            User($"alone-{u}", "alone");
            User($"pair-{u}", "a", "b");
        }

        for (var u = 0; u < 10; u++)
        {
            User($"tail-{u}", "a", "tail");
        }

        var data = UserSequences.Build(interactions);
        using var term = CoOccurrenceTerm.Fit(data, 10, 1, 42, CPU, maxItems: 3);
        int Row(string item) => data.ItemIds.IndexOf(item);
        Assert.Equal(3, term.Width);
        Assert.Equal(0f, term.Input[Row("tail")].abs().max().item<float>());

        var covered = term.Output.index_select(0, tensor(new long[] { Row("alone"), Row("a"), Row("b") })).abs().max().item<float>();
        var tail = term.Output[Row("tail")];
        Assert.True(tail.isfinite().all().item<bool>() && tail.abs().max().item<float>() <= 10 * covered, $"the tail's output row {string.Join(", ", tail.data<float>().ToArray())}, the covered rows' largest value {covered}");
        // And it is still scored from "a", its only covered companion.
        using var scores = term.Input[Row("a")].unsqueeze(0).mm(term.Output.t())[0];
        Assert.True(scores[Row("tail")].item<float>() > scores[Row("alone")].item<float>(), "a user of a scores tail above alone");
    }

    /// <summary>
    /// Rating-shaped, planted for an item-item model: 120 sets of 8 items (a series, say); each user has 5 items of each
    /// of 4 sets, interleaved in a random order, so what comes next is the rest of the sets the user's items belong to,
    /// which their co-occurrence shows and which a small GRU, trained briefly, holds less well over many sets.
    /// </summary>
    private static TrainingData SmallSets()
    {
        const int sets = 120;
        const int perSet = 8;
        var random = new Random(11);
        var interactions = new List<Interaction>();
        for (var u = 0; u < 800; u++)
        {
            var history = Enumerable.Range(0, sets).OrderBy(_ => random.Next()).Take(4)
                .SelectMany(set => Enumerable.Range(0, perSet).OrderBy(_ => random.Next()).Take(5).Select(i => $"s{set}-{i}"))
                .OrderBy(_ => random.Next())
                .ToList();
            interactions.AddRange(history.Select((item, t) => new Interaction($"u{u}", item, 1_700_000_000 + (t * 60))));
        }

        return new TrainingData { Interactions = interactions };
    }
}
