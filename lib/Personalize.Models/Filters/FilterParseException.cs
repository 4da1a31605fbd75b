namespace Personalize.Models.Filters;

/// <summary>A filter expression that does not parse or breaks a rule of the grammar; says where and what.</summary>
public sealed class FilterParseException(int position, string problem)
    : FormatException($"filterExpression: at position {position + 1}: {problem}")
{
    /// <summary>Zero-based offset into the expression where the problem starts.</summary>
    public int Position { get; } = position;

    public string Problem { get; } = problem;
}
