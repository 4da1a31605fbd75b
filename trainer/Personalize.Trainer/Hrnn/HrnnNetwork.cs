using Personalize.Models.Artifacts;
using Personalize.Trainer.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Personalize.Trainer.Hrnn;

/// <summary>
/// The HRNN family's network: item vectors (an id embedding plus, for metadata recipes, the mean of the item's
/// metadata token embeddings) feed a GRU over the user's sequence; its state scores every item by a dot product
/// with the item's output vector plus a bias. Metadata recipes start the GRU from a state derived from the user's
/// metadata tokens. Where events carry context (DEVICE, ...), the mean of the target event's context token vectors is
/// added to the state that scores it. HrnnExport turns the trained tables into the plain tensors the C# scorer reads.
/// </summary>
internal sealed class HrnnNetwork : nn.Module
{
    private readonly Parameter itemInput;
    private readonly Parameter itemOutput;
    private readonly Parameter itemBias;
    private readonly GRU gru;
    private readonly Parameter? tokenInput;
    private readonly Parameter? tokenOutput;
    private readonly Parameter? tokenBias;
    private readonly Parameter? userTokenState;
    private readonly Parameter? contextState;

    /// <param name="window">How many of a user's newest items the network reads (<see cref="HrnnSettings.Window"/>).</param>
    public HrnnNetwork(int items, int hidden, int itemTokens, int userTokens, int window, Device device, int contextTokens = 0)
        : base("hrnn")
    {
        Hidden = hidden;
        Window = window;
        itemInput = Table(items, hidden, 0.1);
        itemOutput = Table(items, hidden, 0.1);
        itemBias = nn.Parameter(zeros(items));
        gru = nn.GRU(hidden, hidden, batchFirst: true);
        if (itemTokens > 0)
        {
            tokenInput = Table(itemTokens, hidden, 0.1);
            tokenOutput = Table(itemTokens, hidden, 0.1);
            tokenBias = nn.Parameter(zeros(itemTokens));
        }

        if (userTokens > 0)
        {
            userTokenState = Table(userTokens, hidden, 0.1);
        }

        if (contextTokens > 0)
        {
            // Starts at zero: a context moves the scoring state only as far as the data shows it matters.
            contextState = nn.Parameter(zeros(contextTokens, hidden));
        }

        RegisterComponents();
        this.to(device);
    }

    public int Hidden { get; }

    /// <summary>How many of a user's newest items the network reads: what the served scorer must read too.</summary>
    public int Window { get; }

    /// <summary>
    /// Where it was trained with a user's earlier items left out of the softmax (users never repeat items), the share
    /// of the training data's events that repeat an item: what the served scorer gives a user's own items
    /// (<see cref="HrnnTrainer.RepeatShare"/>); null where it learned repeats like any other next item.
    /// </summary>
    public double? RepeatShare { get; init; }

    public GRU Gru => gru;

    /// <summary>The co-occurrence term added to the logits, where validation kept it; the network disposes it.</summary>
    public CoOccurrenceTerm? CoOccurrence { get; set; }

    /// <summary>Where the term was tried: the choice and its validation figures (for the manifest), kept or not.</summary>
    public CoOccurrenceReport? CoOccurrenceChoice { get; set; }

    /// <summary>
    /// The input and output item tables and biases. <paramref name="itemTokens"/> is the items × tokens matrix whose
    /// rows average each item's tokens; <paramref name="idKeep"/> (items, 0 or 1) drops id parts so metadata alone
    /// learns to describe an item (cold start); null keeps every id.
    /// </summary>
    public (Tensor Input, Tensor Output, Tensor Bias) ItemTables(Tensor? itemTokens, Tensor? idKeep)
    {
        Tensor input = itemInput;
        Tensor output = itemOutput;
        Tensor bias = itemBias;
        if (idKeep is not null)
        {
            input = input * idKeep.unsqueeze(1);
            output = output * idKeep.unsqueeze(1);
            bias = bias * idKeep;
        }

        if (itemTokens is not null && tokenInput is not null)
        {
            input = input.add(itemTokens.mm(tokenInput), Scalars.One);
            output = output.add(itemTokens.mm(tokenOutput!), Scalars.One);
            bias = bias.add(itemTokens.mv(tokenBias!), Scalars.One);
        }

        return (input, output, bias);
    }

    /// <summary>Initial GRU states [batch, hidden] from rows of the users × tokens matrix; null when the recipe has none.</summary>
    public Tensor? InitialStates(Tensor? userTokens) =>
        userTokens is not null && userTokenState is not null ? tanh(userTokens.mm(userTokenState)) : null;

    /// <summary>The context table [context tokens, hidden], or null when the network learns no context.</summary>
    public Tensor? ContextTable => contextState;

    /// <summary>Each position's context vector [positions, hidden]: rows of the contexts × tokens matrix, averaged over the context table.</summary>
    public Tensor ContextShift(Tensor contexts, Tensor rows) => contexts.mm(contextState!).index_select(0, rows);

    /// <summary>
    /// GRU outputs [batch, time, hidden] for item rows [batch, time]; <paramref name="dropout"/> drops a share of the
    /// inputs' units (training only). The GRU runs in pieces of <paramref name="truncateEvery"/> steps, each starting
    /// from the last one's state detached from the gradient: truncated back-propagation through time, so a long window
    /// is read whole while gradients reach back at most bptt steps.
    /// </summary>
    public Tensor States(Tensor inputTable, Tensor inputs, Tensor? initial, double dropout = 0, int truncateEvery = int.MaxValue)
    {
        var x = inputTable.index_select(0, inputs.flatten()).view(inputs.shape[0], inputs.shape[1], Hidden);
        if (dropout > 0)
        {
            x = nn.functional.dropout(x, dropout, training: true);
        }

        var state = initial?.unsqueeze(0);
        var time = x.shape[1];
        if (time <= truncateEvery)
        {
            return gru.call(x, state).Item1;
        }

        var pieces = new List<Tensor>();
        for (long start = 0; start < time; start += truncateEvery)
        {
            var (output, last) = gru.call(x.narrow(1, start, Math.Min(truncateEvery, time - start)), state);
            pieces.Add(output);
            state = last.detach();
        }

        return cat(pieces, 1);
    }

    /// <summary>
    /// Networks trained apart on the same items, metadata and contexts, as one network of all their widths reading
    /// <paramref name="window"/> items, whose logits are the weighted mean of theirs: the GRUs side by side
    /// (block-diagonal weights, gate by gate, so no state reads another), every table side by side, each output table
    /// scaled by its network's share of the weights and the biases averaged with those shares. A mean, not a sum, keeps
    /// the scores as sharp as one network's: the softmax that serves them, and the share of repeats mixed in beside it,
    /// were calibrated on one network. The served scorer needs nothing new for it: it is a plain HRNN of the summed
    /// width. The first network's repeat share is kept.
    /// </summary>
    public static HrnnNetwork Mean(IReadOnlyList<(HrnnNetwork Network, double Weight)> members, int window)
    {
        var first = members[0].Network;
        var mean = new HrnnNetwork(
            (int)first.itemInput.shape[0], members.Sum(m => m.Network.Hidden), (int)(first.tokenInput?.shape[0] ?? 0), (int)(first.userTokenState?.shape[0] ?? 0), window,
            first.itemInput.device, (int)(first.contextState?.shape[0] ?? 0))
        {
            RepeatShare = first.RepeatShare,
        };
        var total = members.Sum(m => m.Weight);
        using var noGrad = no_grad();
        var parameters = members.Select(m => m.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter)).ToArray();
        foreach (var (name, parameter) in mean.named_parameters())
        {
            using var scope = NewDisposeScope();
            var parts = parameters.Select(p => (Tensor)p[name]).ToArray();
            Tensor[] Weighted() => parts.Zip(members, (part, member) => part * (member.Weight / total)).ToArray();
            parameter.copy_(name switch
            {
                // A context shifts the state that the output tables score, so the weight on those scales it too.
                "itemInput" or "tokenInput" or "userTokenState" or "contextState" => cat(parts, 1),
                "itemOutput" or "tokenOutput" => cat(Weighted(), 1),
                "itemBias" or "tokenBias" => Weighted().Aggregate((x, y) => x + y),
                // nn.GRU stacks its three gates (reset, update, new) along the first dimension.
                "gru.weight_ih_l0" or "gru.weight_hh_l0" => cat(Enumerable.Range(0, 3).Select(g => block_diag(parts.Select(p => p.chunk(3)[g]).ToArray())).ToArray(), 0),
                "gru.bias_ih_l0" or "gru.bias_hh_l0" => cat(Enumerable.Range(0, 3).Select(g => cat(parts.Select(p => p.chunk(3)[g]).ToArray())).ToArray(), 0),
                _ => throw new InvalidOperationException($"Averaging HRNN networks: no rule for the parameter {name}."),
            });
        }

        return mean;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CoOccurrence?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static Parameter Table(int rows, int columns, double std)
    {
        using var scale = std.ToScalar();
        return nn.Parameter(randn(rows, columns).mul_(scale));
    }
}
