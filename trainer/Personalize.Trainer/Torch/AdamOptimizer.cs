using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Personalize.Trainer.Torch;

/// <summary>
/// Adam (torch.optim.Adam without weight decay or amsgrad), in place of TorchSharp's <c>optim.Adam</c>: that one passes
/// doubles to native calls through implicitly created <see cref="Scalar"/>s, which are unreachable while libtorch reads
/// them, so a garbage collection during a step lets the finalizer free them under it (a crash in toFloat, or a step
/// with garbage). Here every Scalar is created explicitly and kept alive by a <c>using</c> until its call returns.
/// The moments live on the parameters' device.
/// </summary>
internal sealed class AdamOptimizer : IDisposable
{
    // Written ahead of the moments, so a checkpoint of another layout is refused instead of misread.
    private const string StateFormat = "adam-1";

    private readonly Parameter[] parameters;
    private readonly long[] steps;
    private readonly Tensor[] averages;
    private readonly Tensor[] squaredAverages;
    private readonly double beta1;
    private readonly double beta2;
    private readonly double epsilon;

    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        this.parameters = [.. parameters];
        LearningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        steps = new long[this.parameters.Length];
        averages = [.. this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        squaredAverages = [.. this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
    }

    /// <summary>The rate of the next <see cref="Step"/> (a warm-up sets it per step).</summary>
    public double LearningRate { get; set; }

    public void ZeroGrad()
    {
        foreach (var parameter in parameters)
        {
            using var grad = parameter.grad;
            grad?.zero_();
        }
    }

    /// <summary>One Adam step for every parameter that has a gradient; a parameter without one keeps its moments and step count.</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var decay1 = beta1.ToScalar();
        using var decay2 = beta2.ToScalar();
        using var weight1 = (1 - beta1).ToScalar();
        using var weight2 = (1 - beta2).ToScalar();
        using var eps = epsilon.ToScalar();
        for (var i = 0; i < parameters.Length; i++)
        {
            var grad = parameters[i].grad;
            if (grad is null)
            {
                continue;
            }

            var step = ++steps[i];
            averages[i].mul_(decay1).add_(grad, alpha: weight1);
            squaredAverages[i].mul_(decay2).addcmul_(grad, grad, value: weight2);
            using var correction2 = Math.Sqrt(1 - Math.Pow(beta2, step)).ToScalar();
            // add_(eps) alone would make its alpha 1 implicitly.
            var denominator = squaredAverages[i].sqrt().div_(correction2).add_(eps, Scalars.One);
            using var stepSize = (-LearningRate / (1 - Math.Pow(beta1, step))).ToScalar();
            parameters[i].addcdiv_(averages[i], denominator, value: stepSize);
        }
    }

    /// <summary>Writes the step counts and moments (for a checkpoint to resume from).</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(StateFormat);
        writer.Write(parameters.Length);
        for (var i = 0; i < parameters.Length; i++)
        {
            writer.Write(steps[i]);
            averages[i].Save(writer);
            squaredAverages[i].Save(writer);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote for the same parameters.</summary>
    public void Load(BinaryReader reader)
    {
        var format = reader.ReadString();
        var count = reader.ReadInt32();
        if (format != StateFormat || count != parameters.Length)
        {
            throw new InvalidDataException($"The optimizer state is {format} for {count} parameters; expected {StateFormat} for {parameters.Length}.");
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            steps[i] = reader.ReadInt64();
            averages[i].Load(reader);
            squaredAverages[i].Load(reader);
        }
    }

    public void Dispose()
    {
        foreach (var moment in averages.Concat(squaredAverages))
        {
            moment.Dispose();
        }
    }
}
