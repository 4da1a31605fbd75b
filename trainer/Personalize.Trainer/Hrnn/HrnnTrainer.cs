using System.Diagnostics;
using System.Runtime.InteropServices;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Training;
using Personalize.Trainer.Torch;
using Personalize.Trainer.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Personalize.Trainer.Hrnn;

/// <summary>
/// Trains the HRNN network on user sequences, GRU4Rec style: each user's history is cut into chunks of window inputs
/// (each followed by its next item as the target; the window is bptt, or the whole stored history where validation
/// keeps it), chunks of similar length from many users form a mini-batch (nn.GRU calls over [batch, time, hidden], the
/// gradient cut every bptt steps), and a softmax over the catalogue (or over one shared set of sampled
/// negatives per batch for large catalogues, with a log-Q correction) gives the loss; Adam optimises after a linear
/// learning-rate warm-up. After each epoch validation users' NDCG@10 is measured (<see cref="HrnnValidation"/>); training
/// stops once it has not improved for <see cref="HrnnSettings.ValidationPatience"/> epochs and keeps the best epoch's
/// weights. Each epoch ends with a checkpoint (weights, optimizer state, validation scores); a restarted run resumes
/// after the newest matching one and goes on exactly as the stopped run would have.
/// </summary>
internal sealed class HrnnTrainer(HrnnSettings settings, IObjectStore store, S3Uri? checkpoints, Func<JobProgress, CancellationToken, Task> report)
{
    public static Device PickDevice() => cuda.is_available() ? CUDA : CPU;

    /// <summary>
    /// Trains and returns the network; <paramref name="itemTokens"/> / <paramref name="userTokens"/> are null for plain
    /// HRNN, <paramref name="contexts"/> (built from <paramref name="data"/>) where events carry no context.
    /// <paramref name="start"/> sets the initial weights (an UPDATE starts from its base model); null starts random.
    /// </summary>
    public async Task<HrnnNetwork> TrainAsync(
        UserSequences data, TokenMatrix? itemTokens, TokenMatrix? userTokens, Action<HrnnNetwork>? start, ImpressionNegatives? impressions, CancellationToken cancellationToken,
        ContextMatrix? contexts = null)
    {
        var device = PickDevice();
        set_num_threads(settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount);
        using var itemTokenTensor = itemTokens is null ? null : tensor(itemTokens.Weights, [itemTokens.Rows, itemTokens.Tokens], device: device);
        using var userTokenTensor = userTokens is null ? null : tensor(userTokens.Weights, [userTokens.Rows, userTokens.Tokens], device: device);
        using var contextTensor = contexts is null ? null : tensor(contexts.Weights, [contexts.Rows, contexts.Tokens.Count], device: device);

        // Validation users' newest interactions are held out of training to judge each epoch by.
        var (training, validation) = settings.ValidationPatience > 0 ? HrnnValidation.Split(data, settings.Seed + 2) : (data, null);
        // Users who never repeat items: seen items leave the softmax, and the items ahead may be learned (below).
        var repeatShare = RepeatShare(training);
        var maskSeen = repeatShare is not null;
        var run = new Run(
            data, training, validation, itemTokenTensor, userTokenTensor, contextTensor is null ? null : (contextTensor, contexts!.EventRows), repeatShare,
            itemTokens?.Tokens ?? 0, userTokens?.Tokens ?? 0, contexts?.Tokens.Count ?? 0, start, impressions, device);
        var window = settings with { Window = settings.ReadWindow };
        if (!maskSeen || validation is null)
        {
            // Where users repeat items, sessions and habit chains make the next item follow from the last one; data
            // too small to validate on cannot show that the items ahead teach more than the next one.
            return (await TrainVariantAsync(run, window with { TargetHorizon = 1 }, TrainStage, cancellationToken)).Network;
        }

        var kept = settings.TargetHorizon > 1 ? await ChooseHorizonAsync(run, window, cancellationToken) : await TrainKeptAsync(run, window, cancellationToken);
        if (settings.Window > 0 || !training.Sequences.Any(s => s.Length > window.Window + 1))
        {
            kept.Other?.Network.Dispose();
            // A window set in advance is an UPDATE's (its base's term is fitted again, RecipeTrainer) or a test's.
            return settings.Window > 0 ? kept.Network : await WithCoOccurrenceAsync(run, kept.Network, cancellationToken);
        }

        return await WithCoOccurrenceAsync(run, await ChooseWindowAsync(run, kept, cancellationToken), cancellationToken);
    }

    /// <summary>The progress stage of the co-occurrence term's choice.</summary>
    public const string CoOccurrenceStage = "co-occurrence";

    /// <summary>
    /// Where users never repeat items: chooses EASE's ridge by its own NDCG@10 on the validation users, then the weight of
    /// its term beside <paramref name="network"/> (<see cref="CoOccurrenceTerm"/>), and adds the term, fitted again on all
    /// the training users, where it beats the network alone by more than one standard error of the per-user difference.
    /// </summary>
    private async Task<HrnnNetwork> WithCoOccurrenceAsync(Run run, HrnnNetwork network, CancellationToken cancellationToken)
    {
        var validation = run.Validation!;
        var covered = CoOccurrenceTerm.CoveredItems(run.Training);
        if (covered.Length < 2)
        {
            return network;
        }

        var clock = Stopwatch.StartNew();
        double[] PerUser(CoOccurrenceTerm? term) =>
            validation.Ndcg10PerUser(network, run.ItemTokens, settings.UserMetadata ? run.UserTokens : null, run.Contexts, run.MaskSeen, run.Device, term);
        var without = PerUser(null);
        var (with, weight) = (without, 0.0);
        double lambda;
        int width;
        using (var gram = CoOccurrenceTerm.Gram(run.Training, covered, run.Device))
        {
            double EaseAlone(double candidate)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var weights = CoOccurrenceTerm.Ease(gram, candidate);
                return validation.ItemItemNdcg10(weights, covered, run.MaskSeen);
            }

            lambda = CoOccurrenceTerm.LambdaGrid.Select(l => (Ndcg: EaseAlone(l), Lambda: l)).Max().Lambda;
            using var unit = CoOccurrenceTerm.Fit(run.Training, covered, gram, lambda, 1, settings.Seed);
            width = unit.Width;
            foreach (var candidate in CoOccurrenceTerm.WeightGrid)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scaled = unit.Scaled(candidate);
                var scores = PerUser(scaled);
                if (scores.Average() > with.Average())
                {
                    (with, weight) = (scores, candidate);
                }
            }
        }

        var gain = PairedGain.Of(with, without);
        var term = gain.BeyondNoise ? CoOccurrenceTerm.Fit(run.Data, lambda, weight, settings.Seed, run.Device) : null;
        var figures = FormattableString.Invariant(
            $"validation NDCG@10 {with.Average():F4} with it (EASE λ {lambda}, weight {weight}), {without.Average():F4} without, on {gain.Users} users (standard error of the difference {gain.StandardError:F4}); chosen in {clock.Elapsed.TotalSeconds:F0} s");
        var choice = new CoOccurrenceReport
        {
            Used = term is not null,
            Lambda = lambda,
            Weight = weight,
            Rank = width,
            Items = term?.Items ?? covered.Length,
            PairShare = term?.PairShare ?? 0,
            ValidationUsers = gain.Users,
            NdcgAt10With = with.Average(),
            NdcgAt10Without = without.Average(),
            StandardError = gain.StandardError,
            Reason = term is not null
                ? $"co-occurrence term added, {term.Coverage}: {figures}"
                : $"co-occurrence term left out, it did not beat the network alone by more than noise: {figures}",
        };
        network.CoOccurrence = term;
        network.CoOccurrenceChoice = choice;
        await report(new JobProgress { Time = DateTimeOffset.UtcNow, Stage = CoOccurrenceStage, PercentComplete = 100, Message = choice.Reason }, cancellationToken);
        return network;
    }

    /// <summary>
    /// The model the first choice kept, with its settings and validation NDCG@10, and the one it set aside (the other
    /// horizon's), which a mean may still take: trained to other targets, it errs differently.
    /// </summary>
    private sealed record Kept(HrnnSettings Settings, HrnnNetwork Network, double Best, Member? Other);

    /// <summary>One training whose model is kept (no horizon to choose), with what the window's choice compares.</summary>
    private async Task<Kept> TrainKeptAsync(Run run, HrnnSettings settings, CancellationToken cancellationToken)
    {
        var (network, best) = await TrainVariantAsync(run, settings, TrainStage, cancellationToken);
        return new Kept(settings, network, best, null);
    }

    /// <summary>
    /// Users who never repeat items: in rating data the order is that of rating, and what is asked is the bag of items
    /// ahead, which the horizon teaches; in sequential data without repeats (a walk through a catalogue) the next item
    /// follows from the last, and later targets blur it. Validation users decide which this data is.
    /// </summary>
    private async Task<Kept> ChooseHorizonAsync(Run run, HrnnSettings settings, CancellationToken cancellationToken)
    {
        var nextItem = await TrainVariantAsync(run, settings with { TargetHorizon = 1 }, TargetHorizonStage, cancellationToken);
        var ahead = await TrainVariantAsync(run, settings, TrainStage, cancellationToken);
        var keepAhead = ahead.Best >= nextItem.Best;
        await report(
            new JobProgress
            {
                Time = DateTimeOffset.UtcNow,
                Stage = TargetHorizonStage,
                PercentComplete = 100,
                Message = $"kept the model trained on {(keepAhead ? $"the next {settings.TargetHorizon} items" : "the next item only")}: validation NDCG@10 {ahead.Best:F4} with the next {settings.TargetHorizon} items as targets, {nextItem.Best:F4} with the next item only",
            },
            cancellationToken);
        var trainedOn = $"the model reading the last {settings.Window} items, trained on";
        return keepAhead
            ? new Kept(settings, ahead.Network, ahead.Best, new Member(nextItem.Network, $"{trainedOn} the next item only", nextItem.Best))
            : new Kept(settings with { TargetHorizon = 1 }, nextItem.Network, nextItem.Best, new Member(ahead.Network, $"{trainedOn} the next {settings.TargetHorizon} items", ahead.Best));
    }

    /// <summary>
    /// Where users never repeat items and some histories are longer than the window: trains the kept model's settings
    /// again reading the whole stored history (gradients still cut every bptt steps), twice from different seeds, and
    /// serves the best of these models on validation users, or a weighted mean of them and of the model the horizon's
    /// choice set aside where that scores higher (<see cref="ChooseMean"/>). On rating data taste lies across the whole
    /// history; where the newest items count, reading further back blurs them (docs/benchmarks.md). Trained apart, the
    /// models make different errors, which a mean averages out.
    /// </summary>
    private async Task<HrnnNetwork> ChooseWindowAsync(Run run, Kept kept, CancellationToken cancellationToken)
    {
        var stored = ArtifactBuilder.StoredHistoryLength;
        var wholeSettings = kept.Settings with { Window = stored };
        var whole = await TrainVariantAsync(run, wholeSettings, HistoryWindowStage, cancellationToken);
        var again = await TrainVariantAsync(run, wholeSettings with { Seed = wholeSettings.Seed + SecondSeedOffset }, HistoryWindowStage, cancellationToken);
        List<Member> members =
        [
            new(kept.Network, $"the model reading the last {kept.Settings.Window} items", kept.Best),
            new(whole.Network, $"the model reading the whole stored history ({stored} items)", whole.Best),
            new(again.Network, $"a second model reading the whole stored history ({stored} items), from another seed", again.Best),
            .. kept.Other is { } other ? [other] : Array.Empty<Member>(),
        ];
        var (served, choice) = ChooseMean(run, kept.Settings, members, stored, cancellationToken);
        await report(
            new JobProgress
            {
                Time = DateTimeOffset.UtcNow,
                Stage = HistoryWindowStage,
                PercentComplete = 100,
                Message = FormattableString.Invariant($"kept {choice}; validation NDCG@10 alone: {string.Join(", ", members.Select(m => $"{m.Best:F4} for {m.Name}"))}"),
            },
            cancellationToken);
        return served;
    }

    /// <summary>
    /// Chooses on the validation users (<see cref="EnsembleSelection"/>, starting from the best single model) the
    /// weighted mean of <paramref name="members"/> to serve, as one plain HRNN (<see cref="HrnnNetwork.Mean"/>) reading
    /// <paramref name="window"/> items, or the best model alone. Every network not served is disposed. A mean is served
    /// wherever it scores higher, not only beyond noise: its cost is serving time, not quality.
    /// </summary>
    private static (HrnnNetwork Served, string Choice) ChooseMean(Run run, HrnnSettings settings, IReadOnlyList<Member> members, int window, CancellationToken cancellationToken)
    {
        double[] PerUser(HrnnNetwork network) =>
            run.Validation!.Ndcg10PerUser(network, run.ItemTokens, settings.UserMetadata ? run.UserTokens : null, run.Contexts, run.MaskSeen, run.Device);
        IReadOnlyList<HrnnNetwork> networks = [.. members.Select(m => m.Network)];
        double[] PerUserOfMean(int[] weights)
        {
            using var mean = HrnnNetwork.Mean(Weighted(networks, weights), window);
            return PerUser(mean);
        }

        var first = members.Select((m, i) => (m.Best, i)).Max().i;
        var single = PerUser(members[first].Network);
        var (weights, best) = EnsembleSelection.Choose(members.Count, first, single, PerUserOfMean, MaxMeanSteps, cancellationToken);

        var served = Served(networks, weights, first, window);
        var alone = served == members[first].Network;
        foreach (var member in members.Where(m => m.Network != served))
        {
            member.Network.Dispose();
        }

        var gain = PairedGain.Of(best, single);
        var figures = FormattableString.Invariant(
            $"validation NDCG@10 {best.Average():F4} (against the best one as trained: {gain.Gain:+0.0000;-0.0000}, standard error {gain.StandardError:F4})");
        var choice = alone ? members[first].Name
            : weights.Count(w => w > 0) == 1 ? $"{members[first].Name}, reading {window} items instead: {figures}"
            : $"the weighted mean of {string.Join(" and ", members.Select((m, i) => $"{m.Name} × {weights[i]}").Where((_, i) => weights[i] > 0))}, each reading {window} items: {figures}";
        return (served, choice);
    }

    /// <summary>
    /// What a choice of <paramref name="weights"/> serves: the member <paramref name="first"/> as it was trained where
    /// no step was taken, and otherwise the weighted mean reading <paramref name="window"/> items, even of one member
    /// added to itself: the weights then change nothing, but the mean reads the whole window, as it was scored.
    /// </summary>
    internal static HrnnNetwork Served(IReadOnlyList<HrnnNetwork> members, int[] weights, int first, int window) =>
        weights.Sum() == 1
            ? members[first]
            : HrnnNetwork.Mean(Weighted(members, weights), window);

    /// <summary>The members whose weight is above zero, with their weights.</summary>
    private static List<(HrnnNetwork Network, double Weight)> Weighted(IReadOnlyList<HrnnNetwork> members, int[] weights) =>
        [.. members.Select((m, i) => (m, (double)weights[i])).Where(m => m.Item2 > 0)];

    /// <summary>One of the models a mean may be made of, with its validation NDCG@10 as trained (reading its own window).</summary>
    private sealed record Member(HrnnNetwork Network, string Name, double Best);

    /// <summary>How many members the validation users' greedy choice adds to the best single model at most.</summary>
    private const int MaxMeanSteps = 4;

    /// <summary>Far from the seeds' per-epoch offsets (seed + epoch shuffles the batches), so no epoch repeats another's order.</summary>
    private const int SecondSeedOffset = 7919;

    /// <summary>The progress stage of the next-item-only training that the horizon is compared against, and of the choice.</summary>
    public const string TargetHorizonStage = "target-horizon";

    /// <summary>The progress stage of the training that reads the whole stored history, and of the window's choice.</summary>
    public const string HistoryWindowStage = "history-window";

    private const string TrainStage = "train";

    /// <summary>Trains one network with <paramref name="variant"/>'s settings; returns it (the best epoch's weights) and its best validation NDCG@10.</summary>
    private async Task<(HrnnNetwork Network, double Best)> TrainVariantAsync(Run run, HrnnSettings variant, string stage, CancellationToken cancellationToken)
    {
        var (data, training, validation, itemTokenTensor, userTokenTensor, contextRows, maskSeen, device) =
            (run.Data, run.Training, run.Validation, run.ItemTokens, run.UserTokens, run.Contexts, run.MaskSeen, run.Device);
        var impressions = run.Impressions;
        manual_seed(variant.Seed);
        var items = data.ItemIds.Count;
        var network = new HrnnNetwork(items, variant.HiddenDimension, run.ItemTokenCount, run.UserTokenCount, variant.ReadWindow, device, run.ContextTokenCount)
        {
            RepeatShare = run.RepeatShare,
        };
        run.Start?.Invoke(network);
        using var links = run.Start is null ? null : GruLinkMask.Of(network);
        using var optimizer = new AdamOptimizer(network.parameters(), variant.LearningRate);
        var chunks = Chunks(training, variant.ReadWindow);
        var horizon = maskSeen ? Math.Max(1, variant.TargetHorizon) : 1;
        var dropout = maskSeen ? variant.Dropout : 0;
        using var sampling = items > HrnnSettings.FullSoftmaxMaxItems ? SamplingDistribution(training, variant.SampledNegatives, device) : null;
        var folder = checkpoints?.AsPrefix().Append($"hrnn-{CheckpointFormat}-{variant.Fingerprint(items, data.UserIds.Count, data.Interactions)}{(impressions is null ? string.Empty : $"-impressions{impressions.Pairs}")}/");
        var scores = new List<double>();
        var firstEpoch = folder is { } prefix ? await ResumeAsync(network, optimizer, scores, prefix, cancellationToken) + 1 : 1;
        var events = chunks.Sum(c => (long)c.Length);
        var clock = Stopwatch.StartNew();
        // The best epoch's weights, when this run trained it (a resumed run reads an earlier one from its checkpoint).
        Dictionary<string, Tensor>? best = null;

        var lastEpoch = validation is null && variant.ValidationPatience > 0 ? Math.Min(variant.MinEpochs, variant.Epochs) : variant.Epochs;
        for (var epoch = firstEpoch; epoch <= lastEpoch && !Stopped(scores); epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var batches = Batches(chunks, new Random(variant.Seed + epoch));
            // Small data has few steps per epoch: warming up for more than a quarter of one would waste epochs.
            var warmupSteps = Math.Max(1, Math.Min(variant.WarmupSteps, batches.Count / 4));
            manual_seed(variant.Seed + epoch);
            // The loss is summed on the device and read once per epoch: a per-batch item() would wait for the GPU.
            using var lossSum = zeros(1, device: device);
            network.train();
            for (var b = 0; b < batches.Count; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var step = ((long)(epoch - 1) * batches.Count) + b;
                // Linear warm-up: Adam's first steps see poorly estimated moments, and large batches want a large rate.
                optimizer.LearningRate = variant.LearningRate * Math.Min(1.0, (step + 1.0) / warmupSteps);
                var loss = BatchLoss(network, batches[b], training, itemTokenTensor, userTokenTensor, contextRows, sampling, impressions, maskSeen, horizon, dropout, device);
                optimizer.ZeroGrad();
                loss.backward();
                links?.MaskGradients();
                nn.utils.clip_grad_norm_(network.parameters(), 5.0);
                optimizer.Step();
                lossSum.add_(loss.detach(), Scalars.One);
            }

            var meanLoss = batches.Count == 0 ? 0 : lossSum.item<float>() / batches.Count;
            var seconds = epochClock.Elapsed.TotalSeconds;
            var validated = string.Empty;
            if (validation is not null)
            {
                network.eval();
                var score = validation.Ndcg10(network, itemTokenTensor, variant.UserMetadata ? userTokenTensor : null, contextRows, maskSeen, device);
                scores.Add(score);
                if (BestEpoch(scores) == epoch)
                {
                    DisposeAll(best);
                    best = Snapshot(network);
                }

                validated = BestEpoch(scores) is var kept and > 0
                    ? $", validation NDCG@10 {score:F4} on {validation.Users} users (best {scores[kept - 1]:F4} at epoch {kept})"
                    : $", validation NDCG@10 {score:F4} on {validation.Users} users";
            }

            if (folder is { } checkpointFolder)
            {
                await SaveCheckpointAsync(network, optimizer, scores, checkpointFolder, epoch, cancellationToken);
            }

            var done = epoch - firstEpoch + 1;
            await report(
                new JobProgress
                {
                    Time = DateTimeOffset.UtcNow,
                    Stage = stage,
                    Epoch = epoch,
                    TotalEpochs = variant.Epochs,
                    Loss = meanLoss,
                    EventsPerSecond = events / Math.Max(seconds, 1e-9),
                    EtaSeconds = clock.Elapsed.TotalSeconds / done * (variant.Epochs - epoch),
                    PercentComplete = 100 * epoch / variant.Epochs,
                    Message = $"epoch {epoch}/{variant.Epochs} on {device.type}{validated}",
                },
                cancellationToken);
        }

        if (BestEpoch(scores) is var bestEpoch and > 0 && bestEpoch != scores.Count)
        {
            await RestoreBestAsync(network, best, scores, folder, cancellationToken);
            await report(new JobProgress { Time = DateTimeOffset.UtcNow, Stage = stage, PercentComplete = 100, Message = $"stopped after epoch {scores.Count}: kept epoch {bestEpoch}'s weights (validation NDCG@10 {scores[bestEpoch - 1]:F4})" }, cancellationToken);
        }

        DisposeAll(best);
        network.eval();
        return (network, BestEpoch(scores) is var keptEpoch and > 0 ? scores[keptEpoch - 1] : double.NaN);
    }

    /// <summary>
    /// Every user's history cut into chunks of at most window + 1 items (window inputs, each followed by its target),
    /// newest chunk aligned to the end so the most recent context is always whole, as the scorer reads it.
    /// </summary>
    private static Chunk[] Chunks(UserSequences data, int window)
    {
        var chunks = new List<Chunk>();
        for (var user = 0; user < data.Sequences.Length; user++)
        {
            var length = data.Sequences[user].Length;
            for (var end = length; end >= 2; end -= window)
            {
                var start = Math.Max(0, end - window - 1);
                chunks.Add(new Chunk(user, start, end - start));
            }
        }

        return [.. chunks];
    }

    /// <summary>
    /// One epoch's mini-batches: chunks of similar length batched together, so almost nothing of a [batch, time] tensor
    /// is padding (a user's oldest chunk is usually short), each batch holding about BatchSize × bptt positions so
    /// every step sees as many targets, whatever the window: a longer window takes as many steps per epoch. Chunks of one length and the batch order are shuffled per epoch.
    /// </summary>
    private List<Chunk[]> Batches(Chunk[] chunks, Random random)
    {
        var shuffled = chunks.ToArray();
        random.Shuffle(shuffled);
        var budget = (long)settings.BatchSize * settings.Bptt;
        var batches = new List<Chunk[]>();
        var current = new List<Chunk>();
        foreach (var chunk in shuffled.OrderBy(c => c.Length))
        {
            // Sorted ascending, so this chunk sets the batch's time steps.
            if (current.Count > 0 && (long)(current.Count + 1) * (chunk.Length - 1) > budget)
            {
                batches.Add([.. current]);
                current.Clear();
            }

            current.Add(chunk);
        }

        if (current.Count > 0)
        {
            batches.Add([.. current]);
        }

        random.Shuffle(CollectionsMarshal.AsSpan(batches));
        return batches;
    }

    private Tensor BatchLoss(
        HrnnNetwork network, ReadOnlySpan<Chunk> batch, UserSequences data, Tensor? itemTokens, Tensor? userTokens, (Tensor Matrix, int[][] EventRows)? contexts, Sampling? sampling,
        ImpressionNegatives? impressions, bool maskSeen, int horizon, double dropout, Device device)
    {
        var time = 0;
        foreach (var chunk in batch)
        {
            time = Math.Max(time, chunk.Length - 1);
        }

        // Each position's targets: its next item and the horizon's later ones (-1 past the user's newest).
        var rows = batch.Length * time;
        var inputs = new long[rows];
        var targets = new long[rows * horizon];
        Array.Fill(targets, -1L);
        var targetContexts = new long[rows];
        var weights = new float[rows * horizon];
        var users = new long[batch.Length];
        var shownAt = new List<long>();
        var shown = new List<long>();
        // (position row, item) pairs: the items the user had before each target, other than the targets themselves.
        var seenAt = new List<long>();
        var seen = new List<long>();
        for (var b = 0; b < batch.Length; b++)
        {
            var chunk = batch[b];
            var sequence = data.Sequences[chunk.User];
            users[b] = chunk.User;
            for (var t = 0; t < chunk.Length - 1; t++)
            {
                var row = (b * time) + t;
                var position = chunk.Start + t + 1;
                var ahead = Math.Min(horizon, sequence.Length - position);
                inputs[row] = sequence[chunk.Start + t];
                var weight = settings.RecencyMask ? 0.3f + (0.7f * position / (sequence.Length - 1)) : 1f;
                for (var k = 0; k < ahead; k++)
                {
                    targets[(row * horizon) + k] = sequence[position + k];
                    weights[(row * horizon) + k] = weight;
                }

                targetContexts[row] = contexts?.EventRows[chunk.User][position] ?? 0;
                foreach (var negative in impressions?.For(chunk.User, sequence[position]) ?? [])
                {
                    shownAt.Add(row);
                    shown.Add(negative);
                }

                for (var earlier = 0; maskSeen && earlier < position; earlier++)
                {
                    if (Array.IndexOf(sequence, sequence[earlier], position, ahead) < 0)
                    {
                        seenAt.Add(row);
                        seen.Add(sequence[earlier]);
                    }
                }
            }
        }

        var inputTensor = tensor(inputs, [batch.Length, time], device: device);
        var targetsAhead = tensor(targets, [rows, horizon], device: device);
        var targetIndex = targetsAhead.clamp_min(Scalars.Zero);
        var targetTensor = targetIndex[.., 0];
        var weightTensor = tensor(weights, [rows, horizon], device: device);
        using var keepShare = (1 - settings.IdDropout).ToScalar();
        var idKeep = settings.IdDropout > 0 ? bernoulli(full(data.ItemIds.Count, keepShare, device: device)) : null;
        var (input, output, bias) = network.ItemTables(itemTokens, idKeep);
        var initial = settings.UserMetadata && userTokens is not null
            ? network.InitialStates(userTokens.index_select(0, tensor(users, device: device)))
            : null;
        var states = network.States(input, inputTensor, initial, dropout, settings.Bptt).reshape(-1, network.Hidden);
        if (dropout > 0)
        {
            states = nn.functional.dropout(states, dropout, training: true);
        }
        if (contexts is { } context)
        {
            // The context of the event being predicted, as a request's context is that of the moment it asks.
            states = states.add(network.ContextShift(context.Matrix, tensor(targetContexts, device: device)), Scalars.One);
        }

        Tensor losses;
        if (sampling is null)
        {
            var logits = addmm(bias.unsqueeze(0), states, output.t(), beta: 1, alpha: 1);
            if (seen.Count > 0)
            {
                var cells = seenAt.Zip(seen, (row, item) => (row * data.ItemIds.Count) + item).ToArray();
                logits.view(-1).index_fill_(0, tensor(cells, device: device), Scalars.MaskedLogit);
            }

            // One softmax per position, read at each of its targets: -log p(target) per (position, target).
            losses = -logits.log_softmax(1).gather(1, targetIndex);
        }
        else
        {
            // One negative set per batch, shared by every position: a single matrix product instead of gathers per row.
            var negatives = multinomial(sampling.Probabilities, settings.SampledNegatives, replacement: true);
            var flat = targetIndex.flatten();
            var positive = (states.unsqueeze(1) * output.index_select(0, flat).view(rows, horizon, -1)).sum(2)
                .add((bias.index_select(0, flat) - sampling.LogQ.index_select(0, flat)).view(rows, horizon), Scalars.One);
            var negativeBias = bias.index_select(0, negatives) - sampling.LogQ.index_select(0, negatives);
            var negative = addmm(negativeBias.unsqueeze(0), states, output.index_select(0, negatives).t(), beta: 1, alpha: 1);
            // A sampled "negative" that is one of the position's targets is not a negative.
            negative = negative.masked_fill_(targetsAhead.unsqueeze(2).eq(negatives.view(1, 1, -1)).any(1), Scalars.MaskedLogit);
            if (seen.Count > 0)
            {
                negative.view(-1).index_fill_(0, tensor(SeenNegativeCells(seenAt, seen, negatives), device: device), Scalars.MaskedLogit);
            }

            // Cross-entropy with the positive as class 0, without materialising [positive, negatives] (positions × negatives floats).
            losses = logaddexp(positive, negative.logsumexp(1).unsqueeze(1)) - positive;
        }

        var loss = (losses * weightTensor).sum() / weightTensor.sum().clamp_min(MinWeightSum);
        if (shownAt.Count == 0)
        {
            return loss;
        }

        // Impressions: the chosen item above each item shown with it and not chosen, at that step.
        var at = tensor(shownAt.ToArray(), device: device);
        var notChosen = tensor(shown.ToArray(), device: device);
        var chosen = targetTensor.index_select(0, at);
        var margin = (states.index_select(0, at) * (output.index_select(0, notChosen) - output.index_select(0, chosen))).sum(1)
            .add(bias.index_select(0, notChosen), Scalars.One) - bias.index_select(0, chosen);
        // softplus(margin) as log(e^0 + e^margin): TorchSharp's softplus passes its beta and threshold as implicit Scalars.
        return loss.add(logaddexp(margin, zeros_like(margin)).mean(), Scalars.One);
    }

    private static readonly Scalar MinWeightSum = 1e-6.ToScalar();

    /// <summary>
    /// Where (almost) no user has an item twice, as in rating data, the share of events that repeat an item the user
    /// had, smoothed as (repeats + 1) / (events + 2) so that it is never 0; null where users repeat items. On such data
    /// an item the user already had is (almost) never the next one, and scoring it as a negative would teach the model
    /// to push down exactly the items that match the user's taste. Such items are left out of each position's softmax
    /// instead, so the network learns which of the items the user has not had comes next, and this share is what it
    /// leaves for the items they had (<see cref="HrnnNetwork.RepeatShare"/>).
    /// </summary>
    internal static double? RepeatShare(UserSequences data)
    {
        long repeats = 0;
        foreach (var sequence in data.Sequences)
        {
            repeats += sequence.Length - sequence.Distinct().Count();
        }

        return data.Interactions > 0 && repeats <= MaxRepeatShare * data.Interactions ? (repeats + 1.0) / (data.Interactions + 2.0) : null;
    }

    // Real rating exports have a few duplicates (re-rated items); more than this and repeating is behaviour to learn.
    private const double MaxRepeatShare = 0.01;

    /// <summary>The flat [positions, negatives] cells where a sampled negative is an item the position's user had before.</summary>
    private static long[] SeenNegativeCells(List<long> seenAt, List<long> seen, Tensor negatives)
    {
        var drawn = negatives.cpu().data<long>().ToArray();
        var columns = new Dictionary<long, List<long>>();
        for (var column = 0; column < drawn.Length; column++)
        {
            (columns.TryGetValue(drawn[column], out var list) ? list : columns[drawn[column]] = []).Add(column);
        }

        var cells = new List<long>();
        for (var i = 0; i < seen.Count; i++)
        {
            foreach (var column in columns.GetValueOrDefault(seen[i]) ?? [])
            {
                cells.Add((seenAt[i] * drawn.Length) + column);
            }
        }

        return [.. cells];
    }

    /// <summary>Negatives are drawn by popularity^0.75 (word2vec's smoothing); log Q corrects the softmax for that bias.</summary>
    private static Sampling SamplingDistribution(UserSequences data, int negatives, Device device)
    {
        var counts = new double[data.ItemIds.Count];
        foreach (var item in data.Sequences.SelectMany(s => s))
        {
            counts[item]++;
        }

        var smoothed = counts.Select(c => Math.Pow(c + 1, 0.75)).ToArray();
        var total = smoothed.Sum();
        var probabilities = smoothed.Select(s => (float)(s / total)).ToArray();
        var logQ = probabilities.Select(p => (float)Math.Log(p * negatives)).ToArray();
        return new Sampling(tensor(probabilities, device: device), tensor(logQ, device: device));
    }

    /// <summary>True once validation has not improved on its best for <see cref="HrnnSettings.ValidationPatience"/> epochs.</summary>
    private bool Stopped(List<double> scores) => BestEpoch(scores) is var best and > 0 && scores.Count - best >= settings.ValidationPatience;

    /// <summary>
    /// The first epoch (1-based) with the best validation score from <see cref="HrnnSettings.MinEpochs"/> on; 0 before
    /// that epoch was trained.
    /// </summary>
    private int BestEpoch(List<double> scores)
    {
        var first = Math.Min(settings.MinEpochs, settings.Epochs) - 1;
        if (scores.Count <= first)
        {
            return 0;
        }

        var best = Math.Max(0, first);
        for (var i = best + 1; i < scores.Count; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
            }
        }

        return best + 1;
    }

    private static Dictionary<string, Tensor> Snapshot(HrnnNetwork network) =>
        network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());

    private static void DisposeAll(Dictionary<string, Tensor>? weights)
    {
        foreach (var tensor in weights?.Values.AsEnumerable() ?? [])
        {
            tensor.Dispose();
        }
    }

    /// <summary>The best epoch's weights: from memory when this run trained that epoch, else from its checkpoint.</summary>
    private async Task RestoreBestAsync(HrnnNetwork network, Dictionary<string, Tensor>? best, List<double> scores, S3Uri? folder, CancellationToken cancellationToken)
    {
        if (best is not null)
        {
            network.load_state_dict(best);
            return;
        }

        var uri = folder?.Append(CheckpointName(BestEpoch(scores))) ?? throw new InvalidOperationException("The best epoch's weights are neither in memory nor checkpointed.");
        using var reader = await ReadCheckpointAsync(uri, cancellationToken);
        network.load(reader);
    }

    private async Task<int> ResumeAsync(HrnnNetwork network, AdamOptimizer optimizer, List<double> scores, S3Uri folder, CancellationToken cancellationToken)
    {
        var newest = 0;
        S3Uri? newestUri = null;
        await foreach (var entry in store.ListAsync(folder, cancellationToken))
        {
            if (CheckpointEpoch(entry.Uri.Name) is { } epoch && epoch > newest)
            {
                newest = epoch;
                newestUri = entry.Uri;
            }
        }

        if (newestUri is { } uri)
        {
            using var reader = await ReadCheckpointAsync(uri, cancellationToken);
            network.load(reader);
            optimizer.Load(reader);
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                scores.Add(reader.ReadDouble());
            }
        }

        return newest;
    }

    private async Task<BinaryReader> ReadCheckpointAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(uri, cancellationToken);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        copy.Position = 0;
        return new BinaryReader(copy);
    }

    /// <summary>
    /// The network's weights, Adam's moments and step counts, and the validation scores so far: a run resumed from
    /// weights alone would restart Adam from zero moments and train a different model than the run that was stopped,
    /// and one without the scores would stop at another epoch and keep other weights.
    /// </summary>
    private async Task SaveCheckpointAsync(HrnnNetwork network, AdamOptimizer optimizer, List<double> scores, S3Uri folder, int epoch, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            network.save(writer);
            optimizer.Save(writer);
            writer.Write(scores.Count);
            foreach (var score in scores)
            {
                writer.Write(score);
            }
        }

        buffer.Position = 0;
        await store.WriteAsync(folder.Append(CheckpointName(epoch)), buffer, cancellationToken);
    }

    // In each checkpoint folder's name: checkpoints of another layout (before 2, TorchSharp's Adam state) are never resumed from.
    private const string CheckpointFormat = "ckpt2";

    private static string CheckpointName(int epoch) => $"epoch-{epoch:D4}{CheckpointExtension}";

    // Weights, optimizer state and validation scores; the weights-only checkpoints of earlier versions (".pt") are not
    // resumed from, nor those without scores (their folder's fingerprint has no validation patience).
    private const string CheckpointExtension = ".ckpt";

    private static int? CheckpointEpoch(string name) =>
        name.StartsWith("epoch-", StringComparison.Ordinal) && name.EndsWith(CheckpointExtension, StringComparison.Ordinal)
        && int.TryParse(name["epoch-".Length..^CheckpointExtension.Length], out var epoch) ? epoch : null;

    /// <summary>What every variant of one training shares: the data, its validation users and the tensors built from them.</summary>
    private sealed record Run(
        UserSequences Data, UserSequences Training, HrnnValidation? Validation, Tensor? ItemTokens, Tensor? UserTokens, (Tensor Matrix, int[][] EventRows)? Contexts,
        double? RepeatShare, int ItemTokenCount, int UserTokenCount, int ContextTokenCount, Action<HrnnNetwork>? Start, ImpressionNegatives? Impressions, Device Device)
    {
        /// <summary>Users never repeat items: earlier items leave each position's softmax.</summary>
        public bool MaskSeen => RepeatShare is not null;
    }

    private readonly record struct Chunk(int User, int Start, int Length);

    private sealed record Sampling(Tensor Probabilities, Tensor LogQ) : IDisposable
    {
        public void Dispose()
        {
            Probabilities.Dispose();
            LogQ.Dispose();
        }
    }
}
