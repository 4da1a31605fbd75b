using Personalize.Api;
using Personalize.Models.Evaluation;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Training;
using Xunit.Abstractions;

namespace Personalize.Trainer.Tests;

/// <summary>
/// A served user's metadata sets the model's start state for them, so the held-out users that offline metrics and the
/// metadata gate judge by must be asked for the same way: by id, with their metadata, not by their events alone.
/// </summary>
[Collection(SeededTrainingCollection.Name)]
public sealed class HeldOutUserMetadataTests(ITestOutputHelper output)
{
    private const int Segments = 5;
    private const int ItemsPerSegment = 20;
    private const int NeutralItems = 20;
    private static readonly string Ndcg10 = OfflineMetrics.NdcgName(10);

    // About 15 steps an epoch: enough epochs for the start state to learn the segments.
    private static readonly HrnnSettings Settings = Training.Fast with { Epochs = 30 };

    [Fact]
    public async Task UserMetadataThatAloneTellsTheTaste_IsKeptByTheGate_AndCountsInTheHeldOutMetrics()
    {
        var data = Planted(users: 1_000);
        var withMetadata = await Training.TrainAsync(Recipes.HrnnMetadata, data, settings: Settings);
        var plain = await Training.TrainAsync(Recipes.Hrnn, data, settings: Settings);

        var gate = withMetadata.Artifact.Manifest.MetadataGate;
        Assert.NotNull(gate);
        output.WriteLine($"{gate.Reason}; held-out NDCG@10 {withMetadata.Metrics[Ndcg10]:0.0000}, plain HRNN {plain.Metrics[Ndcg10]:0.0000}");
        Assert.True(gate.Used, gate.Reason);
        // A held-out user's one input item is shared by every segment: only their SEGMENT can rank their segment's items first.
        Assert.True(
            withMetadata.Metrics[Ndcg10] > plain.Metrics[Ndcg10] * 1.5,
            $"held-out NDCG@10 with user metadata {withMetadata.Metrics[Ndcg10]:0.000}, plain HRNN {plain.Metrics[Ndcg10]:0.000}");
    }

    /// <summary>
    /// Each user sees one of the neutral items every segment sees, then an item of their own segment, which only their
    /// SEGMENT metadata tells: a held-out user's input is the neutral item and their truth the segment's item.
    /// </summary>
    private static TrainingData Planted(int users)
    {
        var random = new Random(5);
        var interactions = new List<Interaction>();
        for (var u = 0; u < users; u++)
        {
            interactions.Add(new Interaction($"u{u}", $"n{random.Next(NeutralItems)}", 1_700_000_000));
            interactions.Add(new Interaction($"u{u}", $"s{u % Segments}-{random.Next(ItemsPerSegment)}", 1_700_003_600));
        }

        return new TrainingData
        {
            Interactions = interactions,
            UserTokens = Enumerable.Range(0, users).ToDictionary(u => $"u{u}", u => (IReadOnlyList<string>)[$"SEGMENT=s{u % Segments}"]),
        };
    }
}
