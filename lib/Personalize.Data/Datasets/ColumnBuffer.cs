using System.Globalization;
using Parquet;
using Parquet.Schema;
using Personalize.Data.Schemas;

namespace Personalize.Data.Datasets;

/// <summary>
/// One column of a batch of rows, typed as its schema field, reused from batch to batch so that importing and
/// reading allocate per batch, not per value. Every Parquet column is written nullable; the schema decides what
/// may be null.
/// </summary>
internal abstract class ColumnBuffer(string name, FieldType type, DataField parquetField)
{
    public string Name { get; } = name;

    public FieldType Type { get; } = type;

    public DataField ParquetField { get; } = parquetField;

    public abstract void EnsureCapacity(int rows);

    public abstract bool IsNull(int row);

    public abstract void SetNull(int row);

    /// <summary>The value as a CLR object (string, int, long, float, double, bool) or null.</summary>
    public abstract object? Get(int row);

    /// <summary>Stores a value of any compatible CLR type (numbers are converted); false when it does not fit the type.</summary>
    public abstract bool TrySet(int row, object? value);

    public abstract Task WriteAsync(ParquetRowGroupWriter writer, int count, CancellationToken cancellationToken);

    /// <summary>Reads a column into this buffer; <paramref name="field"/> is the file's own field (types as the file declares).</summary>
    public abstract Task ReadAsync(ParquetRowGroupReader reader, DataField field, int count, CancellationToken cancellationToken);

    public static ColumnBuffer Create(string name, FieldType type) => type switch
    {
        FieldType.String => new StringColumn(name),
        FieldType.Int => new ValueColumn<int>(name, type, v => Convert.ToInt32(v, CultureInfo.InvariantCulture)),
        FieldType.Long => new ValueColumn<long>(name, type, v => Convert.ToInt64(v, CultureInfo.InvariantCulture)),
        FieldType.Float => new ValueColumn<float>(name, type, v => Convert.ToSingle(v, CultureInfo.InvariantCulture)),
        FieldType.Double => new ValueColumn<double>(name, type, v => Convert.ToDouble(v, CultureInfo.InvariantCulture)),
        FieldType.Boolean => new ValueColumn<bool>(name, type, v => Convert.ToBoolean(v, CultureInfo.InvariantCulture)),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The field type a Parquet column of ours was written as.</summary>
    public static FieldType TypeOf(DataField field) => field.ClrType switch
    {
        var t when t == typeof(string) || t == typeof(ReadOnlyMemory<char>) => FieldType.String,
        var t when t == typeof(int) => FieldType.Int,
        var t when t == typeof(long) => FieldType.Long,
        var t when t == typeof(float) => FieldType.Float,
        var t when t == typeof(double) => FieldType.Double,
        var t when t == typeof(bool) => FieldType.Boolean,
        _ => throw new InvalidDataException($"Parquet column {field.Name} has unsupported type {field.ClrType.Name}."),
    };
}

internal sealed class StringColumn(string name) : ColumnBuffer(name, FieldType.String, new DataField(name, typeof(string), isNullable: true))
{
    public string?[] Values { get; private set; } = [];

    public override void EnsureCapacity(int rows)
    {
        if (Values.Length < rows)
        {
            Values = new string?[rows];
        }
    }

    public override bool IsNull(int row) => Values[row] is null;

    public override void SetNull(int row) => Values[row] = null;

    public override object? Get(int row) => Values[row];

    public override bool TrySet(int row, object? value)
    {
        Values[row] = value switch
        {
            null => null,
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            _ => value.ToString(),
        };
        return true;
    }

    public override Task WriteAsync(ParquetRowGroupWriter writer, int count, CancellationToken cancellationToken) =>
        writer.WriteAsync(ParquetField, new ArraySegment<string>(Values!, 0, count));

    public override async Task ReadAsync(ParquetRowGroupReader reader, DataField field, int count, CancellationToken cancellationToken)
    {
        EnsureCapacity(count);
        await reader.ReadAsync(field, Values.AsMemory(0, count)!, null, cancellationToken);
    }
}

internal sealed class ValueColumn<T>(string name, FieldType type, Func<object, T> convert)
    : ColumnBuffer(name, type, new DataField(name, typeof(T), isNullable: true))
    where T : struct
{
    public T?[] Values { get; private set; } = [];

    public override void EnsureCapacity(int rows)
    {
        if (Values.Length < rows)
        {
            Values = new T?[rows];
        }
    }

    public override bool IsNull(int row) => !Values[row].HasValue;

    public override void SetNull(int row) => Values[row] = null;

    public override object? Get(int row) => Values[row];

    public override bool TrySet(int row, object? value)
    {
        if (value is null)
        {
            Values[row] = null;
            return true;
        }

        try
        {
            Values[row] = value is T typed ? typed : convert(value);
            return true;
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            return false;
        }
    }

    public override Task WriteAsync(ParquetRowGroupWriter writer, int count, CancellationToken cancellationToken) =>
        writer.WriteAsync<T>(ParquetField, Values.AsMemory(0, count), null, null, cancellationToken);

    public override async Task ReadAsync(ParquetRowGroupReader reader, DataField field, int count, CancellationToken cancellationToken)
    {
        EnsureCapacity(count);
        await reader.ReadAsync<T>(field, Values.AsMemory(0, count), null, cancellationToken);
    }
}
