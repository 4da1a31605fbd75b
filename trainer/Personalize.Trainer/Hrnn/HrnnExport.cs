using Personalize.Models.Artifacts;
using static TorchSharp.torch;

namespace Personalize.Trainer.Hrnn;

/// <summary>
/// Turns a trained network into the plain tensors the C# HrnnRecommender reads (TensorNames): metadata is folded
/// into the item vectors here, so serving needs no metadata. Cold-start items get metadata-only vectors, since their
/// id embeddings saw too few interactions to mean anything.
/// </summary>
internal static class HrnnExport
{
    public static Dictionary<string, SafeTensor> Tensors(HrnnNetwork network, TokenMatrix? itemTokens, TokenMatrix? userTokens, bool[]? coldItems)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = network.parameters().First().device;
        var items = network.parameters().First().shape[0];
        var itemTokenTensor = itemTokens is null ? null : tensor(itemTokens.Weights, [itemTokens.Rows, itemTokens.Tokens], device: device);
        var (input, output, bias) = network.ItemTables(itemTokenTensor, null);
        if (coldItems is not null && itemTokenTensor is not null)
        {
            var (metaInput, metaOutput, metaBias) = network.ItemTables(itemTokenTensor, zeros(items, device: device));
            var cold = tensor(coldItems, device: device);
            input = where(cold.unsqueeze(1), metaInput, input);
            output = where(cold.unsqueeze(1), metaOutput, output);
            bias = where(cold, metaBias, bias);
        }

        var hidden = network.Hidden;
        var term = network.CoOccurrence;
        var tensors = new Dictionary<string, SafeTensor>
        {
            [TensorNames.ItemInput] = Floats(input, (int)items, hidden),
            // The term's output factors are the columns past the GRU's hidden, which score the summed history factors.
            [TensorNames.ItemOutput] = term is null ? Floats(output, (int)items, hidden) : Floats(cat([output, term.Output], 1), (int)items, hidden + (int)term.Output.shape[1]),
            [TensorNames.ItemOutputBias] = Floats(bias, (int)items),
        };
        foreach (var (name, parameter) in network.Gru.named_parameters())
        {
            var key = name switch
            {
                "weight_ih_l0" => TensorNames.GruWeightIh,
                "weight_hh_l0" => TensorNames.GruWeightHh,
                "bias_ih_l0" => TensorNames.GruBiasIh,
                "bias_hh_l0" => TensorNames.GruBiasHh,
                _ => throw new InvalidOperationException($"Unexpected GRU parameter {name}."),
            };
            tensors[key] = Floats(parameter, parameter.shape.Select(d => (int)d).ToArray());
        }

        if (term is not null)
        {
            tensors[TensorNames.HistoryItemInput] = Floats(term.Input, (int)items, (int)term.Input.shape[1]);
        }

        if (network.ContextTable is { } contexts)
        {
            tensors[TensorNames.ContextState] = Floats(contexts, (int)contexts.shape[0], hidden);
        }

        if (userTokens is not null && network.InitialStates(tensor(userTokens.Weights, [userTokens.Rows, userTokens.Tokens], device: device)) is { } states)
        {
            tensors[TensorNames.UserInitialState] = Floats(states, userTokens.Rows, hidden);
        }

        return tensors;
    }

    private static SafeTensor Floats(Tensor value, params int[] shape) =>
        SafeTensor.FromFloats(value.detach().cpu().contiguous().data<float>().ToArray(), shape);
}
