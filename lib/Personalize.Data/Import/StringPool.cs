namespace Personalize.Data.Import;

/// <summary>
/// Reuses one string per distinct value of a column (event types, categories, popular ids), so a row group of
/// repeated values costs one allocation per distinct value. Bounded: once full it just allocates.
/// </summary>
internal sealed class StringPool(int capacity = 65_536)
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string Get(ReadOnlySpan<char> value)
    {
        var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(value, out var existing))
        {
            return existing;
        }

        var created = new string(value);
        if (_strings.Count < capacity)
        {
            _strings[created] = created;
        }

        return created;
    }
}
