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

    private readonly Parameter[] _parameters;
    private readonly long[] _steps;
    private readonly Tensor[] _averages;
    private readonly Tensor[] _squaredAverages;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;

    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        _parameters = [.. parameters];
        LearningRate = learningRate;
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _steps = new long[_parameters.Length];
        _averages = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _squaredAverages = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
    }

    /// <summary>The rate of the next <see cref="Step"/> (a warm-up sets it per step).</summary>
    public double LearningRate { get; set; }

    public void ZeroGrad()
    {
        foreach (var parameter in _parameters)
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
        using var decay1 = _beta1.ToScalar();
        using var decay2 = _beta2.ToScalar();
        using var weight1 = (1 - _beta1).ToScalar();
        using var weight2 = (1 - _beta2).ToScalar();
        using var eps = _epsilon.ToScalar();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var grad = _parameters[i].grad;
            if (grad is null)
            {
                continue;
            }

            var step = ++_steps[i];
            _averages[i].mul_(decay1).add_(grad, alpha: weight1);
            _squaredAverages[i].mul_(decay2).addcmul_(grad, grad, value: weight2);
            using var correction2 = Math.Sqrt(1 - Math.Pow(_beta2, step)).ToScalar();
            // add_(eps) alone would make its alpha 1 implicitly.
            var denominator = _squaredAverages[i].sqrt().div_(correction2).add_(eps, Scalars.One);
            using var stepSize = (-LearningRate / (1 - Math.Pow(_beta1, step))).ToScalar();
            _parameters[i].addcdiv_(_averages[i], denominator, value: stepSize);
        }
    }

    /// <summary>Writes the step counts and moments (for a checkpoint to resume from).</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(StateFormat);
        writer.Write(_parameters.Length);
        for (var i = 0; i < _parameters.Length; i++)
        {
            writer.Write(_steps[i]);
            _averages[i].Save(writer);
            _squaredAverages[i].Save(writer);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote for the same parameters.</summary>
    public void Load(BinaryReader reader)
    {
        var format = reader.ReadString();
        var count = reader.ReadInt32();
        if (format != StateFormat || count != _parameters.Length)
        {
            throw new InvalidDataException($"The optimizer state is {format} for {count} parameters; expected {StateFormat} for {_parameters.Length}.");
        }

        for (var i = 0; i < _parameters.Length; i++)
        {
            _steps[i] = reader.ReadInt64();
            _averages[i].Load(reader);
            _squaredAverages[i].Load(reader);
        }
    }

    public void Dispose()
    {
        foreach (var moment in _averages.Concat(_squaredAverages))
        {
            moment.Dispose();
        }
    }
}
