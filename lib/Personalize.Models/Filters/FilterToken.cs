namespace Personalize.Models.Filters;

internal enum FilterTokenKind
{
    Word,
    String,
    Number,
    Parameter,
    Dot,
    Comma,
    OpenParen,
    CloseParen,
    Pipe,
    Star,
    Operator,
    End,
}

/// <summary>One lexical unit of a filter expression and where it starts.</summary>
internal readonly record struct FilterToken(FilterTokenKind Kind, string Text, int Position)
{
    public bool IsWord(string keyword) =>
        Kind == FilterTokenKind.Word && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    public string Describe() => Kind switch
    {
        FilterTokenKind.End => "the end of the expression",
        FilterTokenKind.String => $"\"{Text}\"",
        FilterTokenKind.Parameter => $"${Text}",
        _ => $"'{Text}'",
    };
}
