namespace Personalize.Data.Import;

/// <summary>
/// A streaming CSV record reader for Personalize's dialect: comma-separated, a record per line (LF or CRLF), fields
/// optionally in double quotes where a quote is written \" or "" and a backslash \\ (quoted fields may span lines).
/// Buffers refill asynchronously; a record is parsed from the buffer synchronously and re-parsed only when it
/// straddles a refill. Fields are valid until the next <see cref="ReadAsync"/>.
/// </summary>
internal sealed class CsvReader(TextReader reader)
{
    /// <summary>A record longer than this (in characters) is treated as a broken file, not buffered without end.</summary>
    public const int MaxRecordLength = 16 << 20;

    private readonly List<(bool Scratch, int Start, int Length, bool Quoted)> _fields = [];
    private char[] _buffer = new char[1 << 16];
    private char[] _scratch = new char[1024];
    private int _scratchLength;
    private int _start;
    private int _end;
    private bool _eof;
    private long _nextLine = 1;

    /// <summary>The physical line (1-based) the current record starts on.</summary>
    public long Line { get; private set; }

    public int FieldCount => _fields.Count;

    public ReadOnlySpan<char> this[int index]
    {
        get
        {
            var (scratch, start, length, _) = _fields[index];
            return scratch ? _scratch.AsSpan(start, length) : _buffer.AsSpan(start, length);
        }
    }

    public bool IsQuoted(int index) => _fields[index].Quoted;

    /// <summary>Moves to the next non-blank record; false at the end of the input.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryParseRecord(out var consumed, out var lines))
            {
                _start += consumed;
                Line = _nextLine;
                _nextLine += lines;
                if (_fields.Count == 1 && _fields[0].Length == 0 && !_fields[0].Quoted)
                {
                    continue;
                }

                return true;
            }

            if (_eof)
            {
                return false;
            }

            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                if (_buffer.Length >= MaxRecordLength)
                {
                    throw new CsvFormatException(_nextLine, $"a record is longer than {MaxRecordLength} characters (an unterminated quote?)");
                }

                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = await reader.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }
    }

    /// <summary>Parses one record at the buffer start; false when it may continue past the data buffered so far.</summary>
    private bool TryParseRecord(out int consumed, out int lines)
    {
        _fields.Clear();
        _scratchLength = 0;
        consumed = 0;
        lines = 0;
        if (_start == _end)
        {
            return false;
        }

        var span = _buffer.AsSpan(_start, _end - _start);
        var position = 0;
        while (true)
        {
            if (position < span.Length && span[position] == '"')
            {
                if (!TryParseQuoted(span, ref position, ref lines))
                {
                    return false;
                }
            }
            else
            {
                var rest = span[position..];
                var stop = rest.IndexOfAny(',', '\n');
                if (stop < 0)
                {
                    if (!_eof)
                    {
                        return false;
                    }

                    stop = rest.Length;
                }

                var length = stop;
                if (stop < rest.Length && rest[stop] == '\n' && length > 0 && rest[length - 1] == '\r')
                {
                    length--;
                }
                else if (stop == rest.Length && length > 0 && rest[length - 1] == '\r')
                {
                    length--;
                }

                _fields.Add((false, _start + position, length, false));
                position += stop;
            }

            if (position >= span.Length)
            {
                consumed = span.Length;
                lines++;
                return true;
            }

            var separator = span[position++];
            if (separator == '\n')
            {
                consumed = position;
                lines++;
                return true;
            }
        }
    }

    /// <summary>Reads a quoted field starting at the opening quote, unescaping into the scratch buffer.</summary>
    private bool TryParseQuoted(ReadOnlySpan<char> span, ref int position, ref int lines)
    {
        var start = _scratchLength;
        var i = position + 1;
        while (true)
        {
            if (i >= span.Length)
            {
                if (_eof)
                {
                    throw new CsvFormatException(_nextLine, "a quoted field opened in this record is not closed before the end of the file");
                }

                return false;
            }

            var c = span[i];
            if (c == '\\' || c == '"')
            {
                if (i + 1 >= span.Length && !_eof)
                {
                    return false;
                }

                var next = i + 1 < span.Length ? span[i + 1] : '\0';
                if (c == '\\' && next is '"' or '\\')
                {
                    Append(next);
                    i += 2;
                    continue;
                }

                if (c == '"' && next == '"')
                {
                    Append('"');
                    i += 2;
                    continue;
                }

                if (c == '"')
                {
                    // The closing quote; anything before the next separator is kept as written.
                    i++;
                    while (i < span.Length && span[i] != ',' && span[i] != '\n')
                    {
                        if (span[i] != '\r')
                        {
                            Append(span[i]);
                        }

                        i++;
                    }

                    if (i >= span.Length && !_eof)
                    {
                        return false;
                    }

                    _fields.Add((true, start, _scratchLength - start, true));
                    position = i;
                    return true;
                }
            }

            if (c == '\n')
            {
                lines++;
            }

            Append(c);
            i++;
        }
    }

    private void Append(char c)
    {
        if (_scratchLength == _scratch.Length)
        {
            Array.Resize(ref _scratch, _scratch.Length * 2);
        }

        _scratch[_scratchLength++] = c;
    }
}

/// <summary>A CSV file that cannot be read further (not a bad row: a broken file).</summary>
internal sealed class CsvFormatException(long line, string problem) : Exception($"line {line}: {problem}")
{
    public long Line { get; } = line;
}
