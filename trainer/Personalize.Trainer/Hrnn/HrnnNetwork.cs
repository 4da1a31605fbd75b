using Personalize.Models.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Personalize.Trainer.Hrnn;

/// <summary>
/// The HRNN family's network: item vectors (an id embedding plus, for metadata recipes, the mean of the item's
/// metadata token embeddings) feed a GRU over the user's sequence; its state scores every item by a dot product
/// with the item's output vector plus a bias. Metadata recipes start the GRU from a state derived from the user's
/// metadata tokens. Where events carry context (DEVICE, ...), the mean of the target event's context token vectors is
/// added to the state that scores it. Where the network has a history table, the mean of its rows over the user's
/// last <see cref="HistoryWindow"/> items (far more than the GRU's bptt window) is added to the GRU's state too, so
/// the state also reads what the user had long ago, as EASE does. HrnnExport turns the trained tables into the plain tensors the C# scorer reads.
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
    private readonly Parameter? itemHistory;

    /// <summary>The items the history vector averages: as many as the artifact stores per user, so serving reads the same items.</summary>
    public const int HistoryWindow = ArtifactBuilder.StoredHistoryLength;

    public HrnnNetwork(int items, int hidden, int itemTokens, int userTokens, Device device, int contextTokens = 0, bool history = false)
        : base("hrnn")
    {
        Hidden = hidden;
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

        if (history)
        {
            itemHistory = Table(items, hidden, 0.1);
        }

        RegisterComponents();
        this.to(device);
    }

    public int Hidden { get; }

    public GRU Gru => gru;

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
            input = input + itemTokens.mm(tokenInput);
            output = output + itemTokens.mm(tokenOutput!);
            bias = bias + itemTokens.mv(tokenBias!);
        }

        return (input, output, bias);
    }

    /// <summary>Initial GRU states [batch, hidden] from rows of the users × tokens matrix; null when the recipe has none.</summary>
    public Tensor? InitialStates(Tensor? userTokens) =>
        userTokens is not null && userTokenState is not null ? tanh(userTokens.mm(userTokenState)) : null;

    /// <summary>The history table [items, hidden], or null when the network has no whole-history vector.</summary>
    public Tensor? HistoryTable => itemHistory;

    /// <summary>The context table [context tokens, hidden], or null when the network learns no context.</summary>
    public Tensor? ContextTable => contextState;

    /// <summary>Each position's context vector [positions, hidden]: rows of the contexts × tokens matrix, averaged over the context table.</summary>
    public Tensor ContextShift(Tensor contexts, Tensor rows) => contexts.mm(contextState!).index_select(0, rows);

    /// <summary>GRU outputs [batch, time, hidden] for item rows [batch, time]; <paramref name="dropout"/> drops a share of the inputs' units (training only).</summary>
    public Tensor States(Tensor inputTable, Tensor inputs, Tensor? initial, double dropout = 0)
    {
        var x = inputTable.index_select(0, inputs.flatten()).view(inputs.shape[0], inputs.shape[1], Hidden);
        if (dropout > 0)
        {
            x = nn.functional.dropout(x, dropout, training: true);
        }

        return gru.call(x, initial?.unsqueeze(0)).Item1;
    }

    /// <summary>
    /// Mean history-table rows [positions, hidden]: <paramref name="windows"/> [batch, length] holds each sequence's
    /// items (padding after its end), and each position averages the items <paramref name="begins"/> to
    /// <paramref name="ends"/> (exclusive) of one sequence, given as flat indices into the batch's prefix sums
    /// (sequence b's item k is prefix b × (length + 1) + k); a position with no items gets zeros.
    /// </summary>
    public Tensor HistoryMeans(Tensor windows, Tensor begins, Tensor ends)
    {
        var (batch, length) = (windows.shape[0], windows.shape[1]);
        var rows = itemHistory!.index_select(0, windows.flatten()).view(batch, length, Hidden);
        var sums = cat([zeros(batch, 1, Hidden, device: rows.device), rows.cumsum(1)], 1).view(-1, Hidden);
        var counts = (ends - begins).clamp_min(1).to(ScalarType.Float32).unsqueeze(1);
        return (sums.index_select(0, ends) - sums.index_select(0, begins)) / counts;
    }

    private static Parameter Table(int rows, int columns, double std) => nn.Parameter(randn(rows, columns) * std);
}
