using System.Text;

namespace Personalize.Models.Filters;

/// <summary>Splits a filter expression into tokens; strings are double-quoted with backslash escapes.</summary>
internal static class FilterLexer
{
    public static List<FilterToken> Tokenize(string text)
    {
        var tokens = new List<FilterToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            switch (c)
            {
                case '.':
                    tokens.Add(new(FilterTokenKind.Dot, ".", start));
                    i++;
                    break;
                case ',':
                    tokens.Add(new(FilterTokenKind.Comma, ",", start));
                    i++;
                    break;
                case '(':
                    tokens.Add(new(FilterTokenKind.OpenParen, "(", start));
                    i++;
                    break;
                case ')':
                    tokens.Add(new(FilterTokenKind.CloseParen, ")", start));
                    i++;
                    break;
                case '|':
                    tokens.Add(new(FilterTokenKind.Pipe, "|", start));
                    i++;
                    break;
                case '*':
                    tokens.Add(new(FilterTokenKind.Star, "*", start));
                    i++;
                    break;
                case '=':
                    tokens.Add(new(FilterTokenKind.Operator, "=", start));
                    i++;
                    break;
                case '<' or '>':
                    var op = i + 1 < text.Length && text[i + 1] == '=' ? $"{c}=" : c.ToString();
                    tokens.Add(new(FilterTokenKind.Operator, op, start));
                    i += op.Length;
                    break;
                case '"':
                    tokens.Add(new(FilterTokenKind.String, ReadString(text, ref i), start));
                    break;
                case '$':
                    i++;
                    var name = ReadWhile(text, ref i, IsWordChar);
                    if (name.Length == 0)
                    {
                        throw new FilterParseException(start, "'$' must be followed by a parameter name ([A-Za-z0-9_]+).");
                    }

                    tokens.Add(new(FilterTokenKind.Parameter, name, start));
                    break;
                default:
                    if (char.IsDigit(c) || (c == '-' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
                    {
                        i++;
                        tokens.Add(new(FilterTokenKind.Number, c + ReadWhile(text, ref i, ch => char.IsDigit(ch) || ch == '.'), start));
                    }
                    else if (IsWordChar(c))
                    {
                        tokens.Add(new(FilterTokenKind.Word, ReadWhile(text, ref i, IsWordChar), start));
                    }
                    else
                    {
                        throw new FilterParseException(start, $"unexpected character '{c}'.");
                    }

                    break;
            }
        }

        tokens.Add(new(FilterTokenKind.End, string.Empty, text.Length));
        return tokens;
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static string ReadWhile(string text, ref int i, Func<char, bool> accept)
    {
        var start = i;
        while (i < text.Length && accept(text[i]))
        {
            i++;
        }

        return text[start..i];
    }

    private static string ReadString(string text, ref int i)
    {
        var start = i;
        var value = new StringBuilder();
        i++;
        while (i < text.Length)
        {
            var c = text[i++];
            if (c == '"')
            {
                return value.ToString();
            }

            if (c == '\\' && i < text.Length)
            {
                c = text[i++];
            }

            value.Append(c);
        }

        throw new FilterParseException(start, "string is not closed (missing '\"').");
    }
}
