using Personalize.Models.Artifacts;

namespace Personalize.Bench.Runtime;

/// <summary>
/// A random HRNN-shaped artifact of a given catalogue and hidden size (input size = hidden size, as trained). The
/// output item vectors are clustered, as trained ones are (items of a genre, a brand, a co-watched set point the same
/// way): each is one of 256 random topic directions plus noise of 0.4 its size, at a random norm. Unclustered random
/// vectors are the case no ANN index serves well; the recall gate refuses an index there. With
/// <c>gruBlocks</c> above 1 the GRU is that many GRUs side by side (block-diagonal weights), as the trainer serves a
/// mean of networks.
/// </summary>
public static class SyntheticModel
{
    public const int Users = 10_000;
    public const int HistoryPerUser = 20;

    public static ModelArtifact Hrnn(int items, int hidden, int seed = 7, int gruBlocks = 1)
    {
        var random = new Random(seed);
        float[] Random(int count, float scale)
        {
            var data = new float[count];
            for (var i = 0; i < count; i++)
            {
                data[i] = (float)((random.NextDouble() * 2) - 1) * scale;
            }

            return data;
        }

        var offsets = new int[Users + 1];
        var history = new int[Users * HistoryPerUser];
        for (var u = 0; u < Users; u++)
        {
            offsets[u + 1] = (u + 1) * HistoryPerUser;
            for (var j = 0; j < HistoryPerUser; j++)
            {
                history[(u * HistoryPerUser) + j] = random.Next(items);
            }
        }

        // Unit u belongs to GRU u * gruBlocks / hidden; a weight between units of different GRUs is zero.
        float[] GruWeights()
        {
            var weights = Random(3 * hidden * hidden, 0.1f);
            for (var row = 0; row < 3 * hidden; row++)
            {
                for (var column = 0; column < hidden; column++)
                {
                    if ((row % hidden) * gruBlocks / hidden != column * gruBlocks / hidden)
                    {
                        weights[(row * hidden) + column] = 0;
                    }
                }
            }

            return weights;
        }

        var tensors = new Dictionary<string, SafeTensor>
        {
            [TensorNames.ItemInput] = SafeTensor.FromFloats(Random(items * hidden, 0.1f), items, hidden),
            [TensorNames.GruWeightIh] = SafeTensor.FromFloats(GruWeights(), 3 * hidden, hidden),
            [TensorNames.GruWeightHh] = SafeTensor.FromFloats(GruWeights(), 3 * hidden, hidden),
            [TensorNames.GruBiasIh] = SafeTensor.FromFloats(Random(3 * hidden, 0.1f), 3 * hidden),
            [TensorNames.GruBiasHh] = SafeTensor.FromFloats(Random(3 * hidden, 0.1f), 3 * hidden),
            [TensorNames.ItemOutput] = SafeTensor.FromFloats(Clustered(items, hidden, random), items, hidden),
            [TensorNames.ItemOutputBias] = SafeTensor.FromFloats(Random(items, 0.01f), items),
            [TensorNames.ItemPopularity] = SafeTensor.FromFloats(Random(items, 100f).Select(Math.Abs).ToArray(), items),
            [TensorNames.UserHistoryOffsets] = SafeTensor.FromInts(offsets, offsets.Length),
            [TensorNames.UserHistoryItems] = SafeTensor.FromInts(history, history.Length),
        };
        var manifest = new ModelManifest
        {
            Recipe = "aws-hrnn",
            RecipeType = "USER_PERSONALIZATION",
            Scorer = ScorerKinds.Hrnn,
            HyperParameters = new() { ["bptt"] = "32" },
            CreatedAt = DateTimeOffset.UtcNow,
        };
        var vocabulary = new ModelVocabulary
        {
            Items = Enumerable.Range(0, items).Select(i => $"item-{i}").ToList(),
            Users = Enumerable.Range(0, Users).Select(u => $"user-{u}").ToList(),
        };
        return new ModelArtifact(manifest, vocabulary, tensors);
    }

    private const int Topics = 256;

    private static float[] Clustered(int items, int hidden, Random random)
    {
        var topics = new float[Topics * hidden];
        for (var i = 0; i < topics.Length; i++)
        {
            topics[i] = (float)((random.NextDouble() * 2) - 1) * 0.1f;
        }

        var data = new float[items * hidden];
        for (var row = 0; row < items; row++)
        {
            var topic = random.Next(Topics);
            var norm = 0.5f + (float)random.NextDouble();
            for (var k = 0; k < hidden; k++)
            {
                data[(row * hidden) + k] = norm * (topics[(topic * hidden) + k] + (0.4f * (float)((random.NextDouble() * 2) - 1) * 0.1f));
            }
        }

        return data;
    }
}
