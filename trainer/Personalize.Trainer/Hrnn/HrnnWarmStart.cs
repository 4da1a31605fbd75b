using Personalize.Models.Artifacts;
using static TorchSharp.torch;

namespace Personalize.Trainer.Hrnn;

/// <summary>
/// trainingMode UPDATE: a plain HRNN network that starts where a FULL version's model ended. Known items keep their
/// exported vectors (metadata already folded in) and the GRU keeps its weights; a new item starts from the mean vectors
/// of the known items that share its metadata tokens (else of all known items), so it is placed in the catalogue
/// before training has seen much of it.
/// </summary>
internal static class HrnnWarmStart
{
    /// <param name="items">The new vocabulary: the base model's items first, in its order, then new ones.</param>
    public static Action<HrnnNetwork> From(ModelArtifact baseModel, IReadOnlyList<string> items, IReadOnlyDictionary<string, IReadOnlyList<string>> itemTokens)
    {
        var known = baseModel.Vocabulary.Items;
        var hidden = baseModel.Tensor(TensorNames.GruWeightHh).Shape[^1];
        if (baseModel.Tensor(TensorNames.ItemInput).Shape[^1] != hidden)
        {
            throw new InvalidDataException($"trainingMode UPDATE: the base model ({baseModel.Manifest.Recipe}) has item inputs of another width than its GRU.");
        }

        var guess = NewItemRows(known, items, itemTokens);
        var input = Extend(baseModel.Tensor(TensorNames.ItemInput).RequireFloats(TensorNames.ItemInput), hidden, known.Count, guess);
        var output = Extend(GruColumns(baseModel.Tensor(TensorNames.ItemOutput).RequireFloats(TensorNames.ItemOutput), hidden, known.Count), hidden, known.Count, guess);
        var bias = Extend(baseModel.Tensor(TensorNames.ItemOutputBias).RequireFloats(TensorNames.ItemOutputBias), 1, known.Count, guess);
        var values = new Dictionary<string, (float[] Data, long[] Shape)>
        {
            ["itemInput"] = (input, [items.Count, hidden]),
            ["itemOutput"] = (output, [items.Count, hidden]),
            ["itemBias"] = (bias, [items.Count]),
            ["gru.weight_ih_l0"] = Gru(baseModel, TensorNames.GruWeightIh),
            ["gru.weight_hh_l0"] = Gru(baseModel, TensorNames.GruWeightHh),
            ["gru.bias_ih_l0"] = Gru(baseModel, TensorNames.GruBiasIh),
            ["gru.bias_hh_l0"] = Gru(baseModel, TensorNames.GruBiasHh),
        };
        // The network is as wide as the base's GRU (RecipeTrainer takes the width from it).
        return network =>
        {
            using var noGrad = no_grad();
            foreach (var (name, parameter) in network.named_parameters())
            {
                var (data, shape) = values.TryGetValue(name, out var value)
                    ? value
                    : throw new InvalidDataException($"trainingMode UPDATE: the network's {name} has no counterpart in the base model.");
                using var source = tensor(data, shape, device: parameter.device);
                parameter.copy_(source);
            }
        };
    }

    /// <summary>The first <paramref name="hidden"/> columns of each row: a model with a co-occurrence term has its output factors after them (fitted again, not warm-started).</summary>
    private static float[] GruColumns(float[] rows, int hidden, int count)
    {
        var width = rows.Length / Math.Max(1, count);
        if (width == hidden)
        {
            return rows;
        }

        var columns = new float[count * hidden];
        for (var row = 0; row < count; row++)
        {
            rows.AsSpan(row * width, hidden).CopyTo(columns.AsSpan(row * hidden, hidden));
        }

        return columns;
    }

    /// <summary>For each new item (in vocabulary order), the known rows whose mean it starts from.</summary>
    private static List<int[]> NewItemRows(IReadOnlyList<string> known, IReadOnlyList<string> items, IReadOnlyDictionary<string, IReadOnlyList<string>> itemTokens)
    {
        var byToken = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var row = 0; row < known.Count; row++)
        {
            foreach (var token in itemTokens.GetValueOrDefault(known[row]) ?? [])
            {
                if (!byToken.TryGetValue(token, out var rows))
                {
                    byToken[token] = rows = [];
                }

                rows.Add(row);
            }
        }

        var everyone = Enumerable.Range(0, known.Count).ToArray();
        return items.Skip(known.Count).Select(item =>
        {
            var sharing = (itemTokens.GetValueOrDefault(item) ?? []).SelectMany(t => byToken.GetValueOrDefault(t) ?? []).Distinct().ToArray();
            return sharing.Length > 0 ? sharing : everyone;
        }).ToList();
    }

    private static float[] Extend(float[] table, int width, int knownRows, List<int[]> newRows)
    {
        var extended = new float[(knownRows + newRows.Count) * width];
        table.AsSpan(0, knownRows * width).CopyTo(extended);
        for (var i = 0; i < newRows.Count; i++)
        {
            var target = extended.AsSpan((knownRows + i) * width, width);
            foreach (var row in newRows[i])
            {
                for (var k = 0; k < width; k++)
                {
                    target[k] += table[(row * width) + k] / newRows[i].Length;
                }
            }
        }

        return extended;
    }

    private static (float[] Data, long[] Shape) Gru(ModelArtifact baseModel, string name)
    {
        var tensor = baseModel.Tensor(name);
        return (tensor.RequireFloats(name), tensor.Shape.Select(d => (long)d).ToArray());
    }
}
