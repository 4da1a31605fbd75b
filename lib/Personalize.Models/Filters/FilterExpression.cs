using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Personalize.Models.Filters;

/// <summary>
/// A parsed, validated filter expression (Personalize's grammar). Parse once when the Filter is created or the runtime
/// starts; <see cref="Bind"/> it to each request's filterValues; evaluate the result per request.
/// </summary>
public sealed partial class FilterExpression
{
    private FilterExpression(string text, IReadOnlyList<FilterClause> clauses)
    {
        Text = text;
        Clauses = clauses;
        var parameters = clauses.SelectMany(c => Operands(c).OfType<FilterParameter>().Select(p => (p.Name, c.Action))).ToList();
        Parameters = parameters.Select(p => p.Name).Distinct(StringComparer.Ordinal).ToList();
        RequiredParameters = parameters.Where(p => p.Action == FilterAction.Include).Select(p => p.Name).Distinct(StringComparer.Ordinal).ToList();
        var fields = clauses.SelectMany(c => FilterParser.Fields(c.Where).Concat(c.If is null ? [] : FilterParser.Fields(c.If))).ToList();
        Fields = fields.DistinctBy(f => (f.Source, f.Name)).ToList();
        UsesInteractions = fields.Any(f => f.Source == FilterSource.Interactions);
        UsesCurrentUser = fields.Any(f => f.Source == FilterSource.CurrentUser);
        UsesCurrentItem = fields.Any(f => f.Source == FilterSource.CurrentItem);
        Target = clauses[0].Target;
    }

    public string Text { get; }

    public IReadOnlyList<FilterClause> Clauses { get; }

    /// <summary>Every $PARAMETER name (without '$'), in order of first use.</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>Parameters of INCLUDE expressions: a request must supply them. EXCLUDE parameters may be omitted.</summary>
    public IReadOnlyList<string> RequiredParameters { get; }

    public FilterTarget Target { get; }

    /// <summary>Every field the expression reads (subjects, IF conditions and CurrentItem values), in order of first use.</summary>
    public IReadOnlyList<FilterField> Fields { get; }

    public bool UsesInteractions { get; }

    public bool UsesCurrentUser { get; }

    public bool UsesCurrentItem { get; }

    /// <summary>Parses and validates; throws <see cref="FilterParseException"/> naming the position and the problem.</summary>
    public static FilterExpression Parse(string text)
    {
        var clauses = FilterParser.Parse(text);
        var mixed = clauses.FirstOrDefault(c => c.Target != clauses[0].Target);
        if (mixed is not null)
        {
            throw new FilterParseException(0, "a '|' chain must select one kind of thing: all ItemID or all UserID expressions.");
        }

        return new FilterExpression(text, clauses);
    }

    public static bool TryParse(string text, [NotNullWhen(true)] out FilterExpression? expression, [NotNullWhen(false)] out FilterParseException? error)
    {
        try
        {
            expression = Parse(text);
            error = null;
            return true;
        }
        catch (FilterParseException e)
        {
            expression = null;
            error = e;
            return false;
        }
    }

    /// <summary>
    /// Substitutes a request's filterValues. Throws <see cref="FilterValueException"/> when an INCLUDE parameter is
    /// missing, a key is not a parameter of this filter, or a value is malformed. A missing EXCLUDE parameter skips
    /// the conditions that use it, as Personalize does.
    /// </summary>
    public BoundFilter Bind(IReadOnlyDictionary<string, string>? filterValues)
    {
        filterValues ??= new Dictionary<string, string>();
        if (filterValues.Count > FilterValues.MaxEntries)
        {
            throw new FilterValueException($"filterValues has {filterValues.Count} entries; at most {FilterValues.MaxEntries} are allowed.");
        }

        var supplied = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in filterValues)
        {
            if (!ParameterName().IsMatch(key))
            {
                throw new FilterValueException($"filterValues key \"{key}\" must match [A-Za-z0-9_]+ (at most 50 characters, without '$').");
            }

            if (!Parameters.Contains(key))
            {
                var known = Parameters.Count == 0 ? "none" : string.Join(", ", Parameters.Select(p => "$" + p));
                throw new FilterValueException($"filterValues.{key} is not a parameter of this filter (its parameters: {known}).");
            }

            if (value is null || value.Length > FilterValues.MaxValueLength)
            {
                throw new FilterValueException($"filterValues.{key} must be 1-{FilterValues.MaxValueLength} characters.");
            }

            supplied[key] = FilterValues.ParseList(key, value);
        }

        var missing = RequiredParameters.FirstOrDefault(p => !supplied.ContainsKey(p));
        if (missing is not null)
        {
            throw new FilterValueException($"filterValues.{missing} is required: the filter's INCLUDE expression uses ${missing}.");
        }

        var bound = new List<FilterClause>();
        foreach (var clause in Clauses)
        {
            var where = Substitute(clause.Where, supplied);
            if (where is null)
            {
                continue;
            }

            FilterCondition? condition = null;
            if (clause.If is not null)
            {
                condition = Substitute(clause.If, supplied);
                if (condition is null)
                {
                    // An omitted parameter in the IF of an EXCLUDE skips that expression rather than widen it.
                    continue;
                }
            }

            bound.Add(clause with { Where = where, If = condition });
        }

        return new BoundFilter(bound);
    }

    public override string ToString() => Text;

    /// <summary>The condition with parameters replaced by their values; null when omitted parameters leave nothing.</summary>
    private static FilterCondition? Substitute(FilterCondition condition, Dictionary<string, IReadOnlyList<string>> supplied)
    {
        switch (condition)
        {
            case FilterComparison comparison:
                var values = new List<FilterOperand>();
                foreach (var operand in comparison.Values)
                {
                    if (operand is FilterParameter parameter)
                    {
                        if (supplied.TryGetValue(parameter.Name, out var list))
                        {
                            values.AddRange(list.Select(v => new FilterLiteral(v, parameter.Position)));
                        }
                    }
                    else
                    {
                        values.Add(operand);
                    }
                }

                return values.Count == 0 ? null : comparison with { Values = values };
            case FilterAnd and:
                var andTerms = and.Terms.Select(t => Substitute(t, supplied)).OfType<FilterCondition>().ToList();
                return andTerms.Count == 0 ? null : new FilterAnd(andTerms);
            case FilterOr or:
                var orTerms = or.Terms.Select(t => Substitute(t, supplied)).OfType<FilterCondition>().ToList();
                return orTerms.Count == 0 ? null : new FilterOr(orTerms);
            default:
                return condition;
        }
    }

    private static IEnumerable<FilterOperand> Operands(FilterClause clause) =>
        Comparisons(clause.Where).Concat(clause.If is null ? [] : Comparisons(clause.If)).SelectMany(c => c.Values);

    internal static IEnumerable<FilterComparison> Comparisons(FilterCondition condition) => condition switch
    {
        FilterComparison c => [c],
        FilterAnd a => a.Terms.SelectMany(Comparisons),
        FilterOr o => o.Terms.SelectMany(Comparisons),
        _ => [],
    };

    [GeneratedRegex("^[A-Za-z0-9_]{1,50}$")]
    private static partial Regex ParameterName();
}
