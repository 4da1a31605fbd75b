using System.Globalization;

namespace Personalize.Models.Filters;

/// <summary>
/// Reads one filterValues entry as Personalize writes it: comma-separated values, each quoted
/// (`"\"Comedy\",\"Drama\""`) or a bare number (`"10"`).
/// </summary>
public static class FilterValues
{
    public const int MaxEntries = 25;
    public const int MaxValueLength = 1000;

    public static IReadOnlyList<string> ParseList(string parameter, string text)
    {
        var values = new List<string>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                throw new FilterValueException($"filterValues.{parameter}: expected a value at position {i + 1} of \"{text}\".");
            }

            if (text[i] == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0)
                {
                    throw new FilterValueException($"filterValues.{parameter}: the quoted value at position {i + 1} is not closed.");
                }

                values.Add(text[(i + 1)..end]);
                i = end + 1;
            }
            else
            {
                var end = text.IndexOf(',', i);
                var bare = (end < 0 ? text[i..] : text[i..end]).Trim();
                if (!IsNumber(bare))
                {
                    throw new FilterValueException(
                        $"filterValues.{parameter}: \"{bare}\" must be quoted (e.g. \"\\\"{bare}\\\"\"); only numbers may be bare.");
                }

                values.Add(bare);
                i = end < 0 ? text.Length : end;
            }

            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                return values;
            }

            if (text[i] != ',')
            {
                throw new FilterValueException($"filterValues.{parameter}: expected ',' at position {i + 1} of \"{text}\".");
            }

            i++;
        }
    }

    public static bool IsNumber(string text) => TryNumber(text, out _);

    public static bool TryNumber(string? text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
