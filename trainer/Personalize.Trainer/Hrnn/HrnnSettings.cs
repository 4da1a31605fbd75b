using System.Globalization;

namespace Personalize.Trainer.Hrnn;

/// <summary>
/// How one HRNN-family model trains: the recipe's hyper-parameters plus our own training settings, which Personalize
/// does not expose (it has no epochs parameter). Training stops when validation users' NDCG@10 stops improving
/// (<see cref="HrnnValidation"/>), so the epochs a dataset gets follow from the data rather than from one fixed count:
/// more epochs overfit small rating-shaped data while larger sequential data keeps gaining (docs/benchmarks.md).
/// </summary>
internal sealed record HrnnSettings
{
    // The most epochs a training runs; validation usually stops it earlier.
    public const int DefaultEpochs = 20;
    // The epochs every training runs (the fixed count before validation judged epochs): a few hundred validation
    // users are too few to pick an earlier epoch reliably, and stopping earlier cost NDCG@10 and coverage in every
    // benchmark (docs/benchmarks.md).
    public const int DefaultMinEpochs = 8;
    public const int DefaultValidationPatience = 2;
    // Chunks per mini-batch (batches hold about this many × bptt positions). Larger batches bought no speed at 1M,
    // where the sampled logits dominate, and took 4x fewer Adam steps per epoch (docs/benchmarks.md).
    public const int DefaultBatchSize = 64;
    public const double DefaultLearningRate = 0.01;

    // Above this many items a full softmax per position costs more than it teaches; sample negatives instead.
    public const int FullSoftmaxMaxItems = 8192;
    public const int DefaultSampledNegatives = 2048;
    public const int DefaultWarmupSteps = 100;
    public const int DefaultTargetHorizon = 16;
    public const double DefaultDropout = 0.3;

    public int HiddenDimension { get; init; } = 43;

    /// <summary>
    /// bptt: how many steps back gradients reach (back-propagation through time is truncated every bptt steps), and
    /// the window the network reads unless <see cref="Window"/> says otherwise.
    /// </summary>
    public int Bptt { get; init; } = 32;

    /// <summary>
    /// How many of the user's newest items the network reads, in training chunks, validation and the served scorer
    /// alike; gradients still reach back at most <see cref="Bptt"/> steps. 0 reads bptt items, except where users never
    /// repeat items: there validation users choose between bptt and the whole stored history
    /// (<see cref="HrnnTrainer.HistoryWindowStage"/>), since on rating data taste lies across the whole history while on
    /// sequential data the newest items count and a longer window blurred them (docs/benchmarks.md).
    /// </summary>
    public int Window { get; init; }

    /// <summary>The window a variant reads when <see cref="Window"/> leaves the choice open: bptt items.</summary>
    public int ReadWindow => Window > 0 ? Window : Bptt;

    /// <summary>recency_mask: weight each training target by its recency within the user's history (newest 1.0, oldest 0.3).</summary>
    public bool RecencyMask { get; init; } = true;

    public bool ItemMetadata { get; init; }

    public bool UserMetadata { get; init; }

    /// <summary>Learn from the events' contextual metadata, so that a request's `context` changes its answer.</summary>
    public bool ContextMetadata { get; init; }

    /// <summary>Cold start: the share of item ids dropped per batch so metadata alone learns to place an item.</summary>
    public double IdDropout { get; init; }

    /// <summary>
    /// How many of the next items each position learns to predict (a softmax cross-entropy per item, averaged), where
    /// users never repeat items (<see cref="HrnnTrainer.RepeatShare"/>) and validation users show it beats the next
    /// item alone; elsewhere, and in cold-start networks, every position learns its next item only, as GRU4Rec does. Evaluation and a request ask for the items a user will have next, a bag rather than one
    /// item, so on rating data a longer horizon trains what is asked (PinnerFormer's dense all-action loss); where
    /// users repeat items the next one follows from the last and later targets blur it (docs/benchmarks.md).
    /// </summary>
    public int TargetHorizon { get; init; } = DefaultTargetHorizon;

    /// <summary>
    /// The share of the GRU's input and output units dropped per training step (GRU4Rec's regularisation), where users
    /// never repeat items (not in cold-start networks): small rating data overfits after a few epochs. Where users repeat items it cost coverage
    /// without gaining NDCG@10 (docs/benchmarks.md), so there it is 0.
    /// </summary>
    public double Dropout { get; init; } = DefaultDropout;

    /// <summary>The most epochs trained (all of them when <see cref="ValidationPatience"/> is 0).</summary>
    public int Epochs { get; init; } = DefaultEpochs;

    /// <summary>
    /// The epochs trained before validation may stop training, and the first whose weights may be kept; also the
    /// epochs trained where the data has too few users to validate on. At most <see cref="Epochs"/>.
    /// </summary>
    public int MinEpochs { get; init; } = DefaultMinEpochs;

    /// <summary>
    /// Stop after this many epochs without a better validation NDCG@10 and keep the best epoch's weights; 0 trains
    /// every epoch on all the data, without holding validation interactions out.
    /// </summary>
    public int ValidationPatience { get; init; } = DefaultValidationPatience;

    public int BatchSize { get; init; } = DefaultBatchSize;

    public double LearningRate { get; init; } = DefaultLearningRate;

    public int Seed { get; init; } = 42;

    /// <summary>Negatives drawn per mini-batch (shared by all its positions) when the catalogue is too large for a full softmax.</summary>
    public int SampledNegatives { get; init; } = DefaultSampledNegatives;

    /// <summary>Steps over which the learning rate rises linearly to <see cref="LearningRate"/> (at most a quarter of the first epoch).</summary>
    public int WarmupSteps { get; init; } = DefaultWarmupSteps;

    /// <summary>
    /// CPU threads TorchSharp may use; 0 means the cores this process may use (Environment.ProcessorCount honours
    /// container CPU limits, libtorch's own default counts the host's cores and oversubscribes a limited pod).
    /// The default is one: this network's tensors are small (tens of hidden units), so intra-op threads mostly wait
    /// at OpenMP barriers, and when cores are contended or CFS-throttled a barrier waits for a descheduled thread.
    /// On the shared 2-core box one thread trained 10x faster than two (docs/benchmarks.md).
    /// </summary>
    public int Threads { get; init; } = 1;

    public static HrnnSettings FromHyperParameters(IReadOnlyDictionary<string, string> values) => new()
    {
        HiddenDimension = int.Parse(values.GetValueOrDefault("hidden_dimension") ?? "43", CultureInfo.InvariantCulture),
        Bptt = int.Parse(values.GetValueOrDefault("bptt") ?? "32", CultureInfo.InvariantCulture),
        RecencyMask = !string.Equals(values.GetValueOrDefault("recency_mask"), "false", StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>A short stable description of everything that shapes the weights: checkpoints of another configuration are never resumed.</summary>
    public string Fingerprint(int items, int users, long interactions) =>
        string.Join('-', HiddenDimension, Bptt, Window, RecencyMask ? 1 : 0, ItemMetadata ? 1 : 0, UserMetadata ? 1 : 0, ContextMetadata ? 1 : 0,
            ((int)(IdDropout * 100)).ToString(CultureInfo.InvariantCulture), Epochs, BatchSize,
            LearningRate.ToString(CultureInfo.InvariantCulture), Seed, SampledNegatives, WarmupSteps, MinEpochs, ValidationPatience, TargetHorizon, ((int)(Dropout * 100)).ToString(CultureInfo.InvariantCulture), items, users, interactions);
}
