using Personalize.Models.Artifacts;
using Personalize.Models.Recipes;
using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using static TorchSharp.torch;

namespace Personalize.Trainer.Tests;

public sealed class GruParityTests
{
    [Fact]
    public void CSharpGruScorer_EqualsTorchSharp_Within1e4()
    {
        manual_seed(5);
        var data = UserSequences.Build(TasteData.Create(users: 20).Interactions);
        var itemTokens = TokenMatrix.Build(data.ItemIds, TasteData.Create(users: 20).ItemTokens);
        using var network = new HrnnNetwork(data.ItemIds.Count, 24, itemTokens.Tokens, 0, 32, CPU);
        network.eval();
        int[] sequence = [3, 17, 5, 5, 40, 2, 11];

        float[] expected;
        using (no_grad())
        {
            using var tokens = tensor(itemTokens.Weights, [itemTokens.Rows, itemTokens.Tokens]);
            var (input, output, bias) = network.ItemTables(tokens, null);
            var states = network.States(input, tensor(sequence.Select(i => (long)i).ToArray(), [1, sequence.Length]), null);
            var last = states[0, sequence.Length - 1];
            expected = (output.mv(last) + bias).data<float>().ToArray();
        }

        var manifest = new ModelManifest { Scorer = ScorerKinds.Hrnn, HyperParameters = new() { ["bptt"] = "32" } };
        var artifact = ArtifactBuilder.Build(manifest, data, data, HrnnExport.Tensors(network, itemTokens, null, null));
        var scorer = (HrnnRecommender)RecommenderFactory.Create(artifact);
        var actual = scorer.Logits(scorer.UserState(null, sequence));

        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst < 1e-4, $"largest difference {worst}");
    }
}
