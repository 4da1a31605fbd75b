using System.Globalization;
using Personalize.Data.Datasets;
using Personalize.Data.Schemas;

namespace Personalize.Data.Import;

/// <summary>
/// Turns CSV records into typed rows of a batch, checking each cell against its schema field: empty means null
/// (an error for a field that is not nullable), numbers in invariant culture, booleans lower-case, timestamps in
/// epoch seconds, ids and categorical values within Personalize's lengths, textual values truncated as Personalize does.
/// </summary>
internal sealed class RowParser
{
    /// <summary>Epoch seconds beyond this (year 5138) are almost surely milliseconds.</summary>
    private const long MaxEpochSeconds = 100_000_000_000;

    private readonly Cell[] _cells;
    private readonly int _expectedColumns;

    private RowParser(Cell[] cells, int expectedColumns)
    {
        _cells = cells;
        _expectedColumns = expectedColumns;
    }

    /// <summary>Maps the header's columns onto the schema (any order, exact names); null with the problem otherwise.</summary>
    public static RowParser? ForHeader(DatasetSchema schema, RowBatch batch, CsvReader header, out string? problem)
    {
        var names = Enumerable.Range(0, header.FieldCount).Select(i => header[i].Trim().ToString()).ToList();
        var missing = schema.Fields.Select(f => f.Name).Where(n => !names.Contains(n, StringComparer.Ordinal)).ToList();
        var unexpected = names.Where(n => schema.Find(n) is null).ToList();
        var duplicated = names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || duplicated.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0)
            {
                parts.Add($"missing {string.Join(", ", missing)}");
            }

            if (unexpected.Count > 0)
            {
                parts.Add($"not in the schema: {string.Join(", ", unexpected)}");
            }

            if (duplicated.Count > 0)
            {
                parts.Add($"repeated: {string.Join(", ", duplicated)}");
            }

            problem = $"the header ({string.Join(",", names)}) does not match the schema fields ({string.Join(",", schema.Fields.Select(f => f.Name))}): {string.Join("; ", parts)}";
            return null;
        }

        problem = null;
        var cells = names.Select(name => new Cell(schema.Find(name)!, batch.Columns[schema.IndexOf(name)], schema.DatasetType)).ToArray();
        return new RowParser(cells, names.Count);
    }

    /// <summary>Parses the record into row <c>batch.Count</c>; returns the first problem (field, reason) or null when the row is good.</summary>
    public (string Field, string Reason)? Parse(CsvReader record, int row)
    {
        if (record.FieldCount != _expectedColumns)
        {
            return ("*", $"expected {_expectedColumns} columns, found {record.FieldCount}");
        }

        for (var i = 0; i < _cells.Length; i++)
        {
            if (_cells[i].Parse(record[i], row) is { } reason)
            {
                return (_cells[i].Field.Name, reason);
            }
        }

        return null;
    }

    private enum Rule
    {
        Id,
        Categorical,
        MultiValue,
        Textual,
        Plain,
        Timestamp,
        Int,
        Long,
        Float,
        Double,
        Boolean,
    }

    private sealed class Cell
    {
        private readonly ColumnBuffer _column;
        private readonly Rule _rule;
        private readonly StringPool? _pool;

        public Cell(SchemaField field, ColumnBuffer column, string datasetType)
        {
            Field = field;
            _column = column;
            _rule = field switch
            {
                { Name: FieldNames.UserId or FieldNames.ItemId or FieldNames.RecommendationId } => Rule.Id,
                { Name: FieldNames.Impression } => Rule.MultiValue,
                { Name: FieldNames.Timestamp or FieldNames.CreationTimestamp, Type: FieldType.Long } => Rule.Timestamp,
                { Type: FieldType.String, Textual: true } => Rule.Textual,
                { Type: FieldType.String, Categorical: true } => Rule.Categorical,
                { Type: FieldType.String } => Rule.Plain,
                { Type: FieldType.Int } => Rule.Int,
                { Type: FieldType.Long } => Rule.Long,
                { Type: FieldType.Float } => Rule.Float,
                { Type: FieldType.Double } => Rule.Double,
                _ => Rule.Boolean,
            };
            // Ids repeat across rows of interactions, categories and event types everywhere: pool them. Textual
            // values and item/user ids of their own datasets are mostly unique, so pooling would only cost.
            var uniquePerRow = _rule == Rule.Textual || (datasetType != DatasetTypes.Interactions && _rule == Rule.Id);
            _pool = field.Type == FieldType.String && !uniquePerRow ? new StringPool() : null;
        }

        public SchemaField Field { get; }

        public string? Parse(ReadOnlySpan<char> text, int row)
        {
            if (text.IsEmpty)
            {
                _column.SetNull(row);
                return Field.Nullable ? null : $"{Field.Name} is required but the cell is empty";
            }

            switch (_rule)
            {
                case Rule.Id:
                    return SetString(text, row, FieldNames.MaxIdLength, "an id");
                case Rule.Categorical:
                case Rule.MultiValue:
                    return SetString(text, row, FieldNames.MaxCategoricalLength, "a '|'-separated value");
                case Rule.Textual:
                    ((StringColumn)_column).Values[row] = new string(text.Length > FieldNames.MaxTextualLength ? text[..FieldNames.MaxTextualLength] : text);
                    return null;
                case Rule.Plain:
                    ((StringColumn)_column).Values[row] = Intern(text);
                    return null;
                case Rule.Timestamp:
                    if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
                    {
                        return $"\"{Clip(text)}\" is not a timestamp in epoch seconds (a whole number)";
                    }

                    if (seconds < 0)
                    {
                        return $"{seconds} is negative; timestamps are epoch seconds";
                    }

                    if (seconds >= MaxEpochSeconds)
                    {
                        return $"{seconds} is not in epoch seconds (it looks like milliseconds; divide by 1000)";
                    }

                    ((ValueColumn<long>)_column).Values[row] = seconds;
                    return null;
                case Rule.Int:
                    if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
                    {
                        return $"\"{Clip(text)}\" is not an int";
                    }

                    ((ValueColumn<int>)_column).Values[row] = i;
                    return null;
                case Rule.Long:
                    if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                    {
                        return $"\"{Clip(text)}\" is not a long";
                    }

                    ((ValueColumn<long>)_column).Values[row] = l;
                    return null;
                case Rule.Float:
                    if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) || !float.IsFinite(f))
                    {
                        return $"\"{Clip(text)}\" is not a finite float";
                    }

                    ((ValueColumn<float>)_column).Values[row] = f;
                    return null;
                case Rule.Double:
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
                    {
                        return $"\"{Clip(text)}\" is not a finite double";
                    }

                    ((ValueColumn<double>)_column).Values[row] = d;
                    return null;
                default:
                    if (text is "true" or "false")
                    {
                        ((ValueColumn<bool>)_column).Values[row] = text is "true";
                        return null;
                    }

                    return $"\"{Clip(text)}\" is not a boolean (write true or false, in lower case)";
            }
        }

        private string? SetString(ReadOnlySpan<char> text, int row, int maxLength, string what)
        {
            if (text.Length > maxLength)
            {
                return $"{what} longer than {maxLength} characters ({text.Length})";
            }

            ((StringColumn)_column).Values[row] = Intern(text);
            return null;
        }

        private string Intern(ReadOnlySpan<char> text) => _pool?.Get(text) ?? new string(text);

        private static string Clip(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "...");
    }
}
