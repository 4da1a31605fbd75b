namespace Personalize.Models.Artifacts;

/// <summary>
/// One tensor of a safetensors file: a shape and row-major little-endian data, either F32 or I32 (ids, offsets).
/// Exactly one of <see cref="Floats"/> and <see cref="Ints"/> is set.
/// </summary>
public sealed class SafeTensor
{
    private SafeTensor(int[] shape, float[]? floats, int[]? ints)
    {
        var elements = shape.Aggregate(1L, (product, dimension) => product * dimension);
        var length = floats?.Length ?? ints!.Length;
        if (elements != length)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {elements} elements but the data has {length}.");
        }

        Shape = shape;
        Floats = floats;
        Ints = ints;
    }

    public int[] Shape { get; }

    public float[]? Floats { get; }

    public int[]? Ints { get; }

    public string DType => Floats is null ? "I32" : "F32";

    public static SafeTensor FromFloats(float[] data, params int[] shape) => new(shape, data, null);

    public static SafeTensor FromInts(int[] data, params int[] shape) => new(shape, null, data);

    public float[] RequireFloats(string name) =>
        Floats ?? throw new InvalidDataException($"Tensor \"{name}\" is {DType}, expected F32.");

    public int[] RequireInts(string name) =>
        Ints ?? throw new InvalidDataException($"Tensor \"{name}\" is {DType}, expected I32.");
}
