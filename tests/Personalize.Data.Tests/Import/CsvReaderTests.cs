using Personalize.Data.Import;
using Xunit;

namespace Personalize.Data.Tests.Import;

public sealed class CsvReaderTests
{
    [Fact]
    public async Task Read_QuotedEscapedMultilineAndCrlf()
    {
        var rows = await ReadAllAsync("A,B,C\r\n1,\"say \\\"hi\\\", ok\",x\r\n\n2,\"two\nlines \"\"q\"\" \\\\ end\",\r\n3,,\"\"\n");

        Assert.Equal(
        [
            "1: A|B|C",
            "2: 1|say \"hi\", ok|x",
            "4: 2|two\nlines \"q\" \\ end|",
            "6: 3||",
        ], rows.Select(r => $"{r.Line}: {string.Join('|', r.Fields)}"));
    }

    [Fact]
    public async Task Read_LastLineWithoutNewline()
    {
        var rows = await ReadAllAsync("A,B\n1,2");

        Assert.Equal(["1", "2"], rows[1].Fields);
    }

    [Fact]
    public async Task Read_RecordsStraddlingBufferRefills_AreIntact()
    {
        var longText = new string('x', 200_000);
        var rows = await ReadAllAsync($"A,B\n1,\"{longText}\"\n2,{longText}\n");

        Assert.Equal(longText, rows[1].Fields[1]);
        Assert.Equal(longText, rows[2].Fields[1]);
        Assert.Equal(3, rows[2].Line);
    }

    [Fact]
    public async Task Read_UnclosedQuote_FailsWithLine()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ReadAllAsync("A,B\n1,2\n3,\"never closed\n"));

        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<(long Line, string[] Fields)>> ReadAllAsync(string text)
    {
        var reader = new CsvReader(new StringReader(text));
        var rows = new List<(long, string[])>();
        while (await reader.ReadAsync(CancellationToken.None))
        {
            rows.Add((reader.Line, Enumerable.Range(0, reader.FieldCount).Select(i => reader[i].ToString()).ToArray()));
        }

        return rows;
    }
}
