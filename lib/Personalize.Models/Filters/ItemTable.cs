namespace Personalize.Models.Filters;

/// <summary>One item's metadata as the Items dataset holds it: column name to raw value ("Horror|Action").</summary>
public sealed record ItemUpdate(string ItemId, IReadOnlyDictionary<string, string?> Fields);

/// <summary>
/// Item metadata in columns over item ordinals (the model's item indices first, then items only metadata knows),
/// dictionary-encoded so a filter over a million items is array lookups, not string hashing. Immutable: updates make
/// a new table (copy-on-write), so requests read a consistent snapshot without locks.
/// </summary>
public sealed class ItemTable
{
    private readonly string[] _ids;
    private readonly Dictionary<string, int> _ordinals;
    private readonly Dictionary<string, ItemColumn> _columns;

    private ItemTable(string[] ids, Dictionary<string, int> ordinals, Dictionary<string, ItemColumn> columns)
    {
        _ids = ids;
        _ordinals = ordinals;
        _columns = columns;
    }

    /// <summary>A table of these items (in this ordinal order) with no metadata yet.</summary>
    public static ItemTable Create(IReadOnlyList<string> itemIds)
    {
        var ids = itemIds.ToArray();
        var ordinals = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            ordinals.TryAdd(ids[i], i);
        }

        return new ItemTable(ids, ordinals, new Dictionary<string, ItemColumn>(StringComparer.OrdinalIgnoreCase));
    }

    public int Count => _ids.Length;

    public string ItemId(int ordinal) => _ids[ordinal];

    /// <summary>The item's ordinal, or -1 when the table does not know it.</summary>
    public int OrdinalOf(string itemId) => _ordinals.TryGetValue(itemId, out var ordinal) ? ordinal : -1;

    /// <summary>The values of one field of one item (multi-valued categorical fields split on '|').</summary>
    public IReadOnlyList<string> Values(int ordinal, string field)
    {
        if (ordinal < 0 || !_columns.TryGetValue(field, out var column) || ordinal >= column.Codes.Length || column.Codes[ordinal] is not { } codes)
        {
            return [];
        }

        return Array.ConvertAll(codes, c => column.Dictionary[c]);
    }

    internal ItemColumn? Column(string field) => _columns.GetValueOrDefault(field);

    /// <summary>A new table with these records upserted (a record replaces the fields it names).</summary>
    public ItemTable With(IEnumerable<ItemUpdate> records)
    {
        var list = records.ToList();
        if (list.Count == 0)
        {
            return this;
        }

        var ids = _ids;
        var ordinals = _ordinals;
        var newIds = list.Select(r => r.ItemId).Where(id => !_ordinals.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToList();
        if (newIds.Count > 0)
        {
            ids = [.. _ids, .. newIds];
            ordinals = new Dictionary<string, int>(_ordinals, StringComparer.Ordinal);
            for (var i = _ids.Length; i < ids.Length; i++)
            {
                ordinals[ids[i]] = i;
            }
        }

        var columns = new Dictionary<string, ItemColumn>(_columns, StringComparer.OrdinalIgnoreCase);
        var touched = new Dictionary<string, ItemColumn>(StringComparer.OrdinalIgnoreCase);
        foreach (var record in list)
        {
            var ordinal = ordinals[record.ItemId];
            foreach (var (field, value) in record.Fields)
            {
                if (!touched.TryGetValue(field, out var column))
                {
                    column = columns.TryGetValue(field, out var old) ? old.CopyFor(ids.Length) : ItemColumn.Empty(ids.Length);
                    touched[field] = column;
                    columns[field] = column;
                }

                column.Set(ordinal, value);
            }
        }

        return new ItemTable(ids, ordinals, columns);
    }
}

/// <summary>One metadata field over all items: value codes per item, the code dictionary, and the numeric value.</summary>
internal sealed class ItemColumn
{
    private ItemColumn(int[]?[] codes, double[] numbers, List<string> dictionary, Dictionary<string, int> codeOf)
    {
        Codes = codes;
        Numbers = numbers;
        Dictionary = dictionary;
        CodeOf = codeOf;
    }

    public int[]?[] Codes { get; }

    /// <summary>The field as a number (NaN when missing or not numeric), for &lt; &lt;= &gt; &gt;= comparisons.</summary>
    public double[] Numbers { get; }

    public List<string> Dictionary { get; }

    public Dictionary<string, int> CodeOf { get; }

    public static ItemColumn Empty(int count)
    {
        var numbers = new double[count];
        Array.Fill(numbers, double.NaN);
        return new ItemColumn(new int[]?[count], numbers, [], new Dictionary<string, int>(StringComparer.Ordinal));
    }

    public ItemColumn CopyFor(int count)
    {
        var codes = new int[]?[count];
        Array.Copy(Codes, codes, Codes.Length);
        var numbers = new double[count];
        Array.Fill(numbers, double.NaN);
        Array.Copy(Numbers, numbers, Numbers.Length);
        return new ItemColumn(codes, numbers, [.. Dictionary], new Dictionary<string, int>(CodeOf, StringComparer.Ordinal));
    }

    public void Set(int ordinal, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Codes[ordinal] = null;
            Numbers[ordinal] = double.NaN;
            return;
        }

        var parts = value.Split('|');
        var codes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!CodeOf.TryGetValue(parts[i], out var code))
            {
                code = Dictionary.Count;
                Dictionary.Add(parts[i]);
                CodeOf[parts[i]] = code;
            }

            codes[i] = code;
        }

        Codes[ordinal] = codes;
        Numbers[ordinal] = FilterValues.TryNumber(value, out var number) ? number : double.NaN;
    }
}
