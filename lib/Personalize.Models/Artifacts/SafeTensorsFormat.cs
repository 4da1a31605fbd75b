using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Personalize.Models.Artifacts;

/// <summary>
/// Reads and writes the safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON
/// header mapping each tensor name to {dtype, shape, data_offsets} (offsets relative to the data section), then the
/// raw little-endian data. Written by hand so the runtime needs no native library to load a model.
/// </summary>
public static class SafeTensorsFormat
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    public static async Task WriteAsync(Stream output, IReadOnlyDictionary<string, SafeTensor> tensors, CancellationToken cancellationToken)
    {
        var header = new JsonObject();
        long offset = 0;
        var ordered = tensors.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToList();
        foreach (var (name, tensor) in ordered)
        {
            var bytes = (long)(tensor.Floats?.Length ?? tensor.Ints!.Length) * 4;
            header[name] = new JsonObject
            {
                ["dtype"] = tensor.DType,
                ["shape"] = new JsonArray(tensor.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }

        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The data section starts 8-byte aligned, as the reference implementation pads the header with spaces.
        var padded = (json.Length + 7) / 8 * 8;
        var prefix = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
        json.CopyTo(prefix, 8);
        prefix.AsSpan(8 + json.Length).Fill((byte)' ');
        await output.WriteAsync(prefix, cancellationToken);

        foreach (var (_, tensor) in ordered)
        {
            if (tensor.Floats is { } floats)
            {
                await WriteFromAsync(output, floats, cancellationToken);
            }
            else
            {
                await WriteFromAsync(output, tensor.Ints!, cancellationToken);
            }
        }
    }

    public static async Task<Dictionary<string, SafeTensor>> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        var lengthBytes = new byte[8];
        await input.ReadExactlyAsync(lengthBytes, cancellationToken);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
        {
            throw new InvalidDataException($"safetensors header of {headerLength} bytes is larger than {MaxHeaderBytes}: not a safetensors file.");
        }

        var headerBytes = new byte[headerLength];
        await input.ReadExactlyAsync(headerBytes, cancellationToken);
        var header = JsonNode.Parse(headerBytes)?.AsObject() ?? throw new InvalidDataException("safetensors header is not a JSON object.");

        var entries = header
            .Where(pair => pair.Key != "__metadata__")
            .Select(pair => ParseEntry(pair.Key, pair.Value))
            .OrderBy(entry => entry.Begin)
            .ToList();

        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        long position = 0;
        foreach (var entry in entries)
        {
            if (entry.Begin < position)
            {
                throw new InvalidDataException($"safetensors tensor \"{entry.Name}\" overlaps the previous one.");
            }

            await SkipAsync(input, entry.Begin - position, cancellationToken);
            var elements = checked((int)((entry.End - entry.Begin) / 4));
            if (entry.DType == "F32")
            {
                var data = new float[elements];
                await ReadIntoAsync(input, data, cancellationToken);
                tensors[entry.Name] = SafeTensor.FromFloats(data, entry.Shape);
            }
            else
            {
                var data = new int[elements];
                await ReadIntoAsync(input, data, cancellationToken);
                tensors[entry.Name] = SafeTensor.FromInts(data, entry.Shape);
            }

            position = entry.End;
        }

        return tensors;
    }

    private const int ChunkBytes = 1 << 20;

    /// <summary>Reads raw little-endian values in chunks, so a large tensor never needs a second full-size buffer.</summary>
    private static async Task ReadIntoAsync<T>(Stream input, T[] into, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var chunk = new byte[ChunkBytes];
        var total = (long)into.Length * 4;
        long done = 0;
        while (done < total)
        {
            var count = (int)Math.Min(chunk.Length, total - done);
            await input.ReadExactlyAsync(chunk.AsMemory(0, count), cancellationToken);
            chunk.AsSpan(0, count).CopyTo(MemoryMarshal.AsBytes(into.AsSpan((int)(done / 4))));
            done += count;
        }
    }

    private static async Task WriteFromAsync<T>(Stream output, T[] from, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var chunk = new byte[ChunkBytes];
        var total = (long)from.Length * 4;
        long done = 0;
        while (done < total)
        {
            var count = (int)Math.Min(chunk.Length, total - done);
            MemoryMarshal.AsBytes(from.AsSpan((int)(done / 4))).Slice(0, count).CopyTo(chunk);
            await output.WriteAsync(chunk.AsMemory(0, count), cancellationToken);
            done += count;
        }
    }

    private static async Task SkipAsync(Stream input, long count, CancellationToken cancellationToken)
    {
        var scratch = new byte[Math.Min(count, 81920)];
        while (count > 0)
        {
            var read = await input.ReadAsync(scratch.AsMemory(0, (int)Math.Min(count, scratch.Length)), cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException("safetensors data ends before its header says.");
            }

            count -= read;
        }
    }

    private static (string Name, string DType, int[] Shape, long Begin, long End) ParseEntry(string name, JsonNode? node)
    {
        try
        {
            var dtype = node!["dtype"]!.GetValue<string>();
            if (dtype is not ("F32" or "I32"))
            {
                throw new InvalidDataException($"safetensors tensor \"{name}\" has dtype {dtype}; only F32 and I32 are supported.");
            }

            var shape = node["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
            var offsets = node["data_offsets"]!.AsArray().Select(o => o!.GetValue<long>()).ToArray();
            var elements = shape.Aggregate(1L, (product, dimension) => product * dimension);
            if (offsets.Length != 2 || offsets[1] - offsets[0] != elements * 4)
            {
                throw new InvalidDataException($"safetensors tensor \"{name}\": data_offsets do not match its shape.");
            }

            return (name, dtype, shape, offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or JsonException)
        {
            throw new InvalidDataException($"safetensors tensor \"{name}\" has a malformed header entry.", e);
        }
    }
}
