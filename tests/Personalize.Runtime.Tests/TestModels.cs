using Personalize.Data.Storage;
using Personalize.Models.Artifacts;

namespace Personalize.Runtime.Tests;

/// <summary>
/// Small HRNN-shaped artifacts with hand-set weights, so results are known in advance. Items i0..i7 fall in four
/// groups (i_k is in group k % 4). The GRU's weights are zero except W_in = 3·I, so after items x1..xn the state is a
/// decaying sum of tanh(item_input) of the recent items, pointing at their groups; item_output is the group's unit
/// vector. So a user's next recommendation is the other item of the group they touched last.
/// Popularity: i7 &gt; i6 &gt; ... &gt; i0.
/// </summary>
public static class TestModels
{
    public const int Hidden = 4;
    public static readonly string[] Items = ["i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7"];

    /// <summary>u1 was trained on [i0] (so i4 is next), u2 on [i2] (so i6 is next).</summary>
    public static readonly string[] Users = ["u1", "u2"];

    public const long TrainedUntil = 1_700_000_000;

    public static ModelArtifact Hrnn(string recipe = "aws-hrnn", string recipeType = "USER_PERSONALIZATION")
    {
        var n = Items.Length;
        var itemInput = new float[n * Hidden];
        var itemOutput = new float[n * Hidden];
        for (var i = 0; i < n; i++)
        {
            itemInput[(i * Hidden) + (i % Hidden)] = 1f;
            itemOutput[(i * Hidden) + (i % Hidden)] = 1f;
        }

        var weightIh = new float[3 * Hidden * Hidden];
        for (var j = 0; j < Hidden; j++)
        {
            // Rows 2H..3H are the "new" gate: n = tanh(3 x).
            weightIh[((2 * Hidden) + j) * Hidden + j] = 3f;
        }

        var popularity = Enumerable.Range(1, n).Select(i => (float)i).ToArray();
        var tensors = new Dictionary<string, SafeTensor>
        {
            [TensorNames.ItemInput] = SafeTensor.FromFloats(itemInput, n, Hidden),
            [TensorNames.GruWeightIh] = SafeTensor.FromFloats(weightIh, 3 * Hidden, Hidden),
            [TensorNames.GruWeightHh] = SafeTensor.FromFloats(new float[3 * Hidden * Hidden], 3 * Hidden, Hidden),
            [TensorNames.GruBiasIh] = SafeTensor.FromFloats(new float[3 * Hidden], 3 * Hidden),
            [TensorNames.GruBiasHh] = SafeTensor.FromFloats(new float[3 * Hidden], 3 * Hidden),
            [TensorNames.ItemOutput] = SafeTensor.FromFloats(itemOutput, n, Hidden),
            // A small popularity tilt breaks ties inside a group: i4 above i0, i5 above i1, ...
            [TensorNames.ItemOutputBias] = SafeTensor.FromFloats(popularity.Select(p => p / 100f).ToArray(), n),
            [TensorNames.ItemPopularity] = SafeTensor.FromFloats(popularity, n),
            [TensorNames.UserHistoryOffsets] = SafeTensor.FromInts([0, 1, 2], 3),
            [TensorNames.UserHistoryItems] = SafeTensor.FromInts([0, 2], 2),
        };
        var manifest = new ModelManifest
        {
            Recipe = recipe,
            RecipeType = recipeType,
            Scorer = ScorerKinds.Hrnn,
            HyperParameters = new() { ["bptt"] = "32", ["hidden_dimension"] = Hidden.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            CreatedAt = DateTimeOffset.UtcNow.AddHours(-1),
            TrainingData = new TrainingDataSummary { Interactions = 2, Users = 2, Items = n, MaxTimestamp = TrainedUntil },
        };
        return new ModelArtifact(manifest, new ModelVocabulary { Items = [.. Items], Users = [.. Users] }, tensors);
    }

    /// <summary>
    /// <see cref="Hrnn"/> trained with a DEVICE context: DEVICE=mobile moves the state strongly towards group 1,
    /// DEVICE=desktop towards group 3.
    /// </summary>
    public static ModelArtifact HrnnWithContext()
    {
        var plain = Hrnn("aws-hrnn-metadata");
        var contexts = new float[2 * Hidden];
        contexts[1] = 5f;
        contexts[Hidden + 3] = 5f;
        var tensors = new Dictionary<string, SafeTensor>(plain.Tensors) { [TensorNames.ContextState] = SafeTensor.FromFloats(contexts, 2, Hidden) };
        plain.Vocabulary.ContextTokens = ["DEVICE=mobile", "DEVICE=desktop"];
        return new ModelArtifact(plain.Manifest, plain.Vocabulary, tensors);
    }

    public static async Task<S3Uri> SaveAsync(IObjectStore store, S3Uri datasetGroup, ModelArtifact artifact, string version = "v1")
    {
        var uri = StoreLayout.Model(datasetGroup, "solution", version);
        await artifact.SaveAsync(store, uri, CancellationToken.None);
        return uri;
    }
}
