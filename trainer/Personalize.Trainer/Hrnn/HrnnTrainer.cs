using System.Diagnostics;
using System.Runtime.InteropServices;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Personalize.Trainer.Hrnn;

/// <summary>
/// Trains the HRNN network on user sequences, GRU4Rec style: each user's history is cut into chunks of bptt inputs
/// (each followed by its next item as the target), chunks of similar length from many users form a mini-batch (one
/// fused nn.GRU call over [batch, time, hidden]), and a softmax over the catalogue (or over one shared set of sampled
/// negatives per batch for large catalogues, with a log-Q correction) gives the loss; Adam optimises after a linear
/// learning-rate warm-up. Each epoch ends with a checkpoint (weights and optimizer state); a restarted run resumes after
/// the newest matching one and goes on exactly as the stopped run would have.
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

        manual_seed(settings.Seed);
        var items = data.ItemIds.Count;
        var network = new HrnnNetwork(items, settings.HiddenDimension, itemTokens?.Tokens ?? 0, userTokens?.Tokens ?? 0, device, contexts?.Tokens.Count ?? 0);
        start?.Invoke(network);
        using var itemTokenTensor = itemTokens is null ? null : tensor(itemTokens.Weights, [itemTokens.Rows, itemTokens.Tokens], device: device);
        using var userTokenTensor = userTokens is null ? null : tensor(userTokens.Weights, [userTokens.Rows, userTokens.Tokens], device: device);
        using var contextTensor = contexts is null ? null : tensor(contexts.Weights, [contexts.Rows, contexts.Tokens.Count], device: device);
        using var optimizer = optim.Adam(network.parameters(), settings.LearningRate);

        var chunks = Chunks(data);
        using var sampling = items > HrnnSettings.FullSoftmaxMaxItems ? SamplingDistribution(data, settings.SampledNegatives, device) : null;
        var folder = checkpoints?.AsPrefix().Append($"hrnn-{settings.Fingerprint(items, data.UserIds.Count, data.Interactions)}{(impressions is null ? string.Empty : $"-impressions{impressions.Pairs}")}/");
        var firstEpoch = folder is { } prefix ? await ResumeAsync(network, optimizer, prefix, cancellationToken) + 1 : 1;
        var events = chunks.Sum(c => (long)c.Length);
        var clock = Stopwatch.StartNew();

        for (var epoch = firstEpoch; epoch <= settings.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var batches = Batches(chunks, new Random(settings.Seed + epoch));
            // Small data has few steps per epoch: warming up for more than a quarter of one would waste epochs.
            var warmupSteps = Math.Max(1, Math.Min(settings.WarmupSteps, batches.Count / 4));
            manual_seed(settings.Seed + epoch);
            // The loss is summed on the device and read once per epoch: a per-batch item() would wait for the GPU.
            using var lossSum = zeros(1, device: device);
            network.train();
            for (var b = 0; b < batches.Count; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var step = ((long)(epoch - 1) * batches.Count) + b;
                // Linear warm-up: Adam's first steps see poorly estimated moments, and large batches want a large rate.
                optimizer.ParamGroups.First().LearningRate = settings.LearningRate * Math.Min(1.0, (step + 1.0) / warmupSteps);
                var loss = BatchLoss(network, batches[b], data, itemTokenTensor, userTokenTensor, contextTensor is null ? null : (contextTensor, contexts!.EventRows), sampling, impressions, device);
                optimizer.zero_grad();
                loss.backward();
                nn.utils.clip_grad_norm_(network.parameters(), 5.0);
                optimizer.step();
                lossSum.add_(loss.detach());
            }

            var meanLoss = batches.Count == 0 ? 0 : lossSum.item<float>() / batches.Count;
            var seconds = epochClock.Elapsed.TotalSeconds;
            if (folder is { } checkpointFolder)
            {
                await SaveCheckpointAsync(network, optimizer, checkpointFolder, epoch, cancellationToken);
            }

            var done = epoch - firstEpoch + 1;
            await report(
                new JobProgress
                {
                    Time = DateTimeOffset.UtcNow,
                    Stage = "train",
                    Epoch = epoch,
                    TotalEpochs = settings.Epochs,
                    Loss = meanLoss,
                    EventsPerSecond = events / Math.Max(seconds, 1e-9),
                    EtaSeconds = clock.Elapsed.TotalSeconds / done * (settings.Epochs - epoch),
                    PercentComplete = 100 * epoch / settings.Epochs,
                    Message = $"epoch {epoch}/{settings.Epochs} on {device.type}",
                },
                cancellationToken);
        }

        network.eval();
        return network;
    }

    /// <summary>
    /// Every user's history cut into chunks of at most bptt + 1 items (bptt inputs, each followed by its target),
    /// newest chunk aligned to the end so the most recent context is always whole.
    /// </summary>
    private Chunk[] Chunks(UserSequences data)
    {
        var chunks = new List<Chunk>();
        for (var user = 0; user < data.Sequences.Length; user++)
        {
            var length = data.Sequences[user].Length;
            for (var end = length; end >= 2; end -= settings.Bptt)
            {
                var start = Math.Max(0, end - settings.Bptt - 1);
                chunks.Add(new Chunk(user, start, end - start));
            }
        }

        return [.. chunks];
    }

    /// <summary>
    /// One epoch's mini-batches: chunks of similar length batched together, so almost nothing of a [batch, time] tensor
    /// is padding (a user's oldest chunk is usually short), each batch holding about BatchSize × bptt positions so
    /// every step sees as many targets. Chunks of one length and the batch order are shuffled per epoch.
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
        ImpressionNegatives? impressions, Device device)
    {
        var time = 0;
        foreach (var chunk in batch)
        {
            time = Math.Max(time, chunk.Length - 1);
        }

        var inputs = new long[batch.Length * time];
        var targets = new long[batch.Length * time];
        var targetContexts = new long[batch.Length * time];
        var weights = new float[batch.Length * time];
        var users = new long[batch.Length];
        var shownAt = new List<long>();
        var shown = new List<long>();
        for (var b = 0; b < batch.Length; b++)
        {
            var chunk = batch[b];
            var sequence = data.Sequences[chunk.User];
            users[b] = chunk.User;
            for (var t = 0; t < chunk.Length - 1; t++)
            {
                var position = chunk.Start + t + 1;
                inputs[(b * time) + t] = sequence[chunk.Start + t];
                targets[(b * time) + t] = sequence[position];
                targetContexts[(b * time) + t] = contexts?.EventRows[chunk.User][position] ?? 0;
                weights[(b * time) + t] = settings.RecencyMask ? 0.3f + (0.7f * position / (sequence.Length - 1)) : 1f;
                foreach (var negative in impressions?.For(chunk.User, sequence[position]) ?? [])
                {
                    shownAt.Add((b * time) + t);
                    shown.Add(negative);
                }
            }
        }

        var inputTensor = tensor(inputs, [batch.Length, time], device: device);
        var targetTensor = tensor(targets, [batch.Length * time], device: device);
        var weightTensor = tensor(weights, [batch.Length * time], device: device);
        var idKeep = settings.IdDropout > 0 ? bernoulli(full(data.ItemIds.Count, 1 - settings.IdDropout, device: device)) : null;
        var (input, output, bias) = network.ItemTables(itemTokens, idKeep);
        var initial = settings.UserMetadata && userTokens is not null
            ? network.InitialStates(userTokens.index_select(0, tensor(users, device: device)))
            : null;
        var states = network.States(input, inputTensor, initial).reshape(-1, network.Hidden);
        if (contexts is { } context)
        {
            // The context of the event being predicted, as a request's context is that of the moment it asks.
            states = states + network.ContextShift(context.Matrix, tensor(targetContexts, device: device));
        }

        Tensor losses;
        if (sampling is null)
        {
            var logits = addmm(bias.unsqueeze(0), states, output.t(), beta: 1, alpha: 1);
            losses = nn.functional.cross_entropy(logits, targetTensor, reduction: nn.Reduction.None);
        }
        else
        {
            // One negative set per batch, shared by every position: a single matrix product instead of gathers per row.
            var negatives = multinomial(sampling.Probabilities, settings.SampledNegatives, replacement: true);
            var positive = (states * output.index_select(0, targetTensor)).sum(1) + bias.index_select(0, targetTensor)
                - sampling.LogQ.index_select(0, targetTensor);
            var negativeBias = bias.index_select(0, negatives) - sampling.LogQ.index_select(0, negatives);
            var negative = addmm(negativeBias.unsqueeze(0), states, output.index_select(0, negatives).t(), beta: 1, alpha: 1);
            // A sampled "negative" that is the target itself is not a negative.
            negative = negative.masked_fill_(targetTensor.unsqueeze(1).eq(negatives.unsqueeze(0)), -1e9);
            // Cross-entropy with the positive as class 0, without materialising [positive, negatives] (positions × negatives floats).
            losses = logaddexp(positive, negative.logsumexp(1)) - positive;
        }

        var loss = (losses * weightTensor).sum() / weightTensor.sum().clamp_min(1e-6);
        if (shownAt.Count == 0)
        {
            return loss;
        }

        // Impressions: the chosen item above each item shown with it and not chosen, at that step.
        var at = tensor(shownAt.ToArray(), device: device);
        var notChosen = tensor(shown.ToArray(), device: device);
        var chosen = targetTensor.index_select(0, at);
        var margin = (states.index_select(0, at) * (output.index_select(0, notChosen) - output.index_select(0, chosen))).sum(1)
            + bias.index_select(0, notChosen) - bias.index_select(0, chosen);
        return loss + nn.functional.softplus(margin).mean();
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

    private async Task<int> ResumeAsync(HrnnNetwork network, OptimizerHelper optimizer, S3Uri folder, CancellationToken cancellationToken)
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
            await using var stream = await store.OpenReadAsync(uri, cancellationToken);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, cancellationToken);
            copy.Position = 0;
            using var reader = new BinaryReader(copy);
            network.load(reader);
            optimizer.load_state_dict(reader);
        }

        return newest;
    }

    /// <summary>
    /// The network's weights and Adam's moments and step counts: a run resumed from weights alone would restart Adam
    /// from zero moments and train a different model than the run that was stopped.
    /// </summary>
    private async Task SaveCheckpointAsync(HrnnNetwork network, OptimizerHelper optimizer, S3Uri folder, int epoch, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            network.save(writer);
            optimizer.save_state_dict(writer);
        }

        buffer.Position = 0;
        await store.WriteAsync(folder.Append($"epoch-{epoch:D4}{CheckpointExtension}"), buffer, cancellationToken);
    }

    // Weights and optimizer state; the weights-only checkpoints of earlier versions (".pt") are not resumed from.
    private const string CheckpointExtension = ".ckpt";

    private static int? CheckpointEpoch(string name) =>
        name.StartsWith("epoch-", StringComparison.Ordinal) && name.EndsWith(CheckpointExtension, StringComparison.Ordinal)
        && int.TryParse(name["epoch-".Length..^CheckpointExtension.Length], out var epoch) ? epoch : null;

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
