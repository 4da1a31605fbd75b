using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Personalize.Models.Artifacts;

namespace Personalize.Models.Tests;

public sealed class SafeTensorsFormatTests
{
    [Fact]
    public async Task WrittenFile_HasLittleEndianHeaderLengthJsonHeaderAndRawData()
    {
        using var stream = new MemoryStream();
        await SafeTensorsFormat.WriteAsync(
            stream,
            new Dictionary<string, SafeTensor> { ["w"] = SafeTensor.FromFloats([1f, -2.5f, 3f, 4f, 5f, 6f], 2, 3) },
            CancellationToken.None);
        var bytes = stream.ToArray();

        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength).TrimEnd(' '));
        var entry = header.RootElement.GetProperty("w");
        Assert.Equal("F32", entry.GetProperty("dtype").GetString());
        Assert.Equal([2, 3], entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([0, 24], entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(-2.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + headerLength + 4)));
        Assert.Equal(8 + headerLength + 24, bytes.Length);
    }

    [Fact]
    public async Task RoundTrip_KeepsFloatAndIntTensorsLargerThanOneChunk()
    {
        var big = Enumerable.Range(0, 700_000).Select(i => i * 0.5f).ToArray();
        var tensors = new Dictionary<string, SafeTensor>
        {
            ["big"] = SafeTensor.FromFloats(big, 700, 1000),
            ["ids"] = SafeTensor.FromInts([3, -1, 7], 3),
        };
        using var stream = new MemoryStream();
        await SafeTensorsFormat.WriteAsync(stream, tensors, CancellationToken.None);
        stream.Position = 0;

        var read = await SafeTensorsFormat.ReadAsync(stream, CancellationToken.None);

        Assert.Equal(big, read["big"].Floats);
        Assert.Equal([700, 1000], read["big"].Shape);
        Assert.Equal([3, -1, 7], read["ids"].RequireInts("ids"));
        Assert.Equal("I32", read["ids"].DType);
    }

    [Fact]
    public async Task Read_ReadsAFileWrittenByAnotherWriter_WithMetadataAndUnsortedEntries()
    {
        // Hand-built as the Python library writes it: __metadata__ present, entries not in data order.
        var header = """{"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""";
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + headerBytes.Length), 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(12 + headerBytes.Length), 2.5f);

        var read = await SafeTensorsFormat.ReadAsync(new MemoryStream(bytes), CancellationToken.None);

        Assert.Equal([1.5f], read["a"].RequireFloats("a"));
        Assert.Equal([2.5f], read["b"].RequireFloats("b"));
    }

    [Fact]
    public async Task Read_RefusesAnUnsupportedDtype_NamingTheTensor()
    {
        var headerBytes = Encoding.UTF8.GetBytes("""{"x":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}""");
        var bytes = new byte[8 + headerBytes.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => SafeTensorsFormat.ReadAsync(new MemoryStream(bytes), CancellationToken.None));
        Assert.Contains("\"x\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("F16", error.Message, StringComparison.Ordinal);
    }
}
