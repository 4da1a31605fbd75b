using Personalize.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Personalize.Trainer.Tests;

[Collection(SeededTrainingCollection.Name)]
public sealed class AdamOptimizerTests
{
    [Fact]
    public void Steps_MatchTorchSharpsAdam_OnTheSameNetwork()
    {
        manual_seed(7);
        using var ours = nn.Sequential(("hidden", nn.Linear(6, 8)), ("tanh", nn.Tanh()), ("out", nn.Linear(8, 3)));
        using var theirs = nn.Sequential(("hidden", nn.Linear(6, 8)), ("tanh", nn.Tanh()), ("out", nn.Linear(8, 3)));
        theirs.load_state_dict(ours.state_dict());
        using var inputs = randn(32, 6);
        using var targets = randint(0, 3, [32]);
        using var adam = new AdamOptimizer(ours.parameters(), 0.05);
        using var reference = optim.Adam(theirs.parameters(), 0.05);

        for (var step = 0; step < 25; step++)
        {
            // A warm-up changes the rate between steps, as training's does.
            var rate = 0.05 * Math.Min(1.0, (step + 1.0) / 5);
            adam.LearningRate = rate;
            reference.ParamGroups.First().LearningRate = rate;
            foreach (var (network, optimizerStep, zeroGrad) in new (nn.Module<Tensor, Tensor>, Action, Action)[] { (ours, adam.Step, adam.ZeroGrad), (theirs, () => reference.step(), reference.zero_grad) })
            {
                using var scope = NewDisposeScope();
                zeroGrad();
                nn.functional.cross_entropy(network.call(inputs), targets).backward();
                optimizerStep();
            }
        }

        foreach (var (a, b) in ours.parameters().Zip(theirs.parameters()))
        {
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6), $"a parameter differs by {(a - b).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void Load_RefusesTheStateOfOtherParameters()
    {
        using var two = nn.Linear(4, 2);
        using var one = nn.Linear(4, 2, hasBias: false);
        using var saved = new MemoryStream();
        using (var writer = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true))
        using (var adam = new AdamOptimizer(two.parameters(), 0.1))
        {
            adam.Save(writer);
        }

        saved.Position = 0;
        using var reader = new BinaryReader(saved);
        using var other = new AdamOptimizer(one.parameters(), 0.1);
        var error = Assert.Throws<InvalidDataException>(() => other.Load(reader));
        Assert.Contains("2 parameters", error.Message, StringComparison.Ordinal);
    }
}
