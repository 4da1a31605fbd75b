namespace Personalize.Models.Filters;

/// <summary>
/// A filter with one request's filterValues substituted, ready to evaluate. Chained expressions all apply: an item
/// survives only if every INCLUDE selects it and no EXCLUDE does. An expression whose IF is false does not apply.
/// </summary>
public sealed class BoundFilter
{
    private readonly IReadOnlyList<FilterClause> _clauses;

    internal BoundFilter(IReadOnlyList<FilterClause> clauses) => _clauses = clauses;

    /// <summary>True when nothing is left to apply (every expression skipped for omitted EXCLUDE values).</summary>
    public bool IsEmpty => _clauses.Count == 0;

    /// <summary>
    /// Clears <paramref name="allowed"/>[i] for each item ordinal i the filter removes; entries already false stay
    /// false. The span covers ordinals 0..Length-1 of <see cref="FilterContext.Items"/> (the model's items first).
    /// </summary>
    public void Apply(FilterContext context, Span<bool> allowed)
    {
        var predicate = Compile(context);
        for (var i = 0; i < allowed.Length; i++)
        {
            if (allowed[i] && !predicate.Allows(i))
            {
                allowed[i] = false;
            }
        }
    }

    /// <summary>Whether one item survives the filter; the item need not be in the table (it then has no metadata).</summary>
    public bool Allows(FilterContext context, string itemId) => Compile(context).Allows(itemId);

    /// <summary>
    /// The filter prepared for one request's context (interaction sets built, IF conditions decided, value lists
    /// encoded), to test candidates one by one: cheap when only the top few candidates need testing.
    /// </summary>
    public FilterPredicate Compile(FilterContext context) => new(context.Items, ItemTests(context));

    /// <summary>For UserID filters: whether a user (their Users columns and interactions) survives.</summary>
    public bool AllowsUser(IReadOnlyDictionary<string, string> user, IReadOnlyList<FilterInteraction> interactions)
    {
        foreach (var clause in _clauses)
        {
            var selected = SourceOf(clause.Where) switch
            {
                FilterSource.Interactions => interactions.Any(i => RowTest(clause.Where, InteractionRow(i), null)),
                _ => RowTest(clause.Where, field => user.TryGetValue(field, out var v) ? Split(v) : [], null),
            };
            if (selected != (clause.Action == FilterAction.Include))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One test per applicable expression: true when the item survives that expression.</summary>
    private List<Func<int, string?, bool>> ItemTests(FilterContext context)
    {
        var tests = new List<Func<int, string?, bool>>();
        foreach (var clause in _clauses)
        {
            if (clause.If is not null)
            {
                var user = context.CurrentUser;
                if (user is null || !RowTest(clause.If, field => user.TryGetValue(field, out var v) ? Split(v) : [], context))
                {
                    continue;
                }
            }

            var selects = SourceOf(clause.Where) == FilterSource.Interactions
                ? InteractionTest(clause.Where, context)
                : ItemTest(clause.Where, context);
            tests.Add(clause.Action == FilterAction.Include ? selects : (ordinal, id) => !selects(ordinal, id));
        }

        return tests;
    }

    private static FilterSource SourceOf(FilterCondition condition) => FilterExpression.Comparisons(condition).First().Field.Source;

    /// <summary>Items the user interacted with in a way the condition matches (any one interaction suffices).</summary>
    private static Func<int, string?, bool> InteractionTest(FilterCondition condition, FilterContext context)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var ordinals = new HashSet<int>();
        foreach (var interaction in context.Interactions)
        {
            if (RowTest(condition, InteractionRow(interaction), context) && ids.Add(interaction.ItemId))
            {
                var ordinal = context.Items.OrdinalOf(interaction.ItemId);
                if (ordinal >= 0)
                {
                    ordinals.Add(ordinal);
                }
            }
        }

        return (ordinal, id) => ordinal >= 0 ? ordinals.Contains(ordinal) : id is not null && ids.Contains(id);
    }

    private static Func<string, IReadOnlyList<string>> InteractionRow(FilterInteraction interaction) => field => field switch
    {
        "EVENT_TYPE" => [interaction.EventType],
        "ITEM_ID" => [interaction.ItemId],
        "EVENT_VALUE" => interaction.EventValue is { } v ? [v.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [],
        "TIMESTAMP" => [interaction.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)],
        _ => [],
    };

    /// <summary>Items metadata conditions compiled over the table's dictionary-encoded columns.</summary>
    private static Func<int, string?, bool> ItemTest(FilterCondition condition, FilterContext context)
    {
        switch (condition)
        {
            case FilterAnd and:
                var all = and.Terms.Select(t => ItemTest(t, context)).ToArray();
                return (ordinal, id) => Array.TrueForAll(all, t => t(ordinal, id));
            case FilterOr or:
                var any = or.Terms.Select(t => ItemTest(t, context)).ToArray();
                return (ordinal, id) => Array.Exists(any, t => t(ordinal, id));
        }

        var comparison = (FilterComparison)condition;
        var values = Resolve(comparison, context);
        var column = context.Items.Column(comparison.Field.Name);
        if (column is null)
        {
            // No item has this field: IN and comparisons select nothing, NOT IN selects everything.
            var result = comparison.Operator == FilterOperator.NotIn;
            return (_, _) => result;
        }

        var codes = column.Codes;
        if (comparison.Operator is FilterOperator.In or FilterOperator.NotIn
            || (comparison.Operator == FilterOperator.Equal && !values.All(FilterValues.IsNumber)))
        {
            var wanted = new bool[column.Dictionary.Count];
            foreach (var value in values)
            {
                if (column.CodeOf.TryGetValue(value, out var code))
                {
                    wanted[code] = true;
                }
            }

            var negate = comparison.Operator == FilterOperator.NotIn;
            return (ordinal, _) =>
            {
                var itemCodes = ordinal >= 0 && ordinal < codes.Length ? codes[ordinal] : null;
                var hit = false;
                if (itemCodes is not null)
                {
                    foreach (var code in itemCodes)
                    {
                        if (wanted[code])
                        {
                            hit = true;
                            break;
                        }
                    }
                }

                return hit != negate;
            };
        }

        if (values.Count == 0 || !FilterValues.TryNumber(values[0], out var threshold))
        {
            return (_, _) => false;
        }

        var numbers = column.Numbers;
        var op = comparison.Operator;
        return (ordinal, _) => ordinal >= 0 && ordinal < numbers.Length && Compare(numbers[ordinal], op, threshold);
    }

    /// <summary>A condition over one record whose fields are looked up by name (interactions, users).</summary>
    private static bool RowTest(FilterCondition condition, Func<string, IReadOnlyList<string>> row, FilterContext? context)
    {
        switch (condition)
        {
            case FilterAnd and:
                return and.Terms.All(t => RowTest(t, row, context));
            case FilterOr or:
                return or.Terms.Any(t => RowTest(t, row, context));
        }

        var comparison = (FilterComparison)condition;
        var have = row(comparison.Field.Name);
        var ignoreCase = comparison.Field.Name == "EVENT_TYPE";
        var comparer = ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var wildcard = comparison.Values.Any(v => v is FilterWildcard);
        var values = context is null ? comparison.Values.OfType<FilterLiteral>().Select(l => l.Value).ToList() : Resolve(comparison, context);
        switch (comparison.Operator)
        {
            case FilterOperator.In:
                return have.Count > 0 && (wildcard || have.Any(h => values.Contains(h, comparer)));
            case FilterOperator.NotIn:
                return !wildcard && !have.Any(h => values.Contains(h, comparer));
            case FilterOperator.Equal when !values.All(FilterValues.IsNumber):
                return have.Any(h => values.Contains(h, comparer));
            default:
                return have.Count > 0 && values.Count > 0
                    && FilterValues.TryNumber(have[0], out var number) && FilterValues.TryNumber(values[0], out var threshold)
                    && Compare(number, comparison.Operator, threshold);
        }
    }

    /// <summary>The operand values of a comparison for this request (literals and CurrentItem fields).</summary>
    private static List<string> Resolve(FilterComparison comparison, FilterContext context)
    {
        var values = new List<string>();
        foreach (var operand in comparison.Values)
        {
            switch (operand)
            {
                case FilterLiteral literal:
                    values.Add(literal.Value);
                    break;
                case FilterFieldValue { Field.Source: FilterSource.CurrentItem } fieldValue when context.CurrentItemId is not null:
                    values.AddRange(context.Items.Values(context.Items.OrdinalOf(context.CurrentItemId), fieldValue.Field.Name));
                    break;
            }
        }

        return values;
    }

    private static bool Compare(double value, FilterOperator op, double threshold) => op switch
    {
        FilterOperator.Equal => value == threshold,
        FilterOperator.Less => value < threshold,
        FilterOperator.LessOrEqual => value <= threshold,
        FilterOperator.Greater => value > threshold,
        FilterOperator.GreaterOrEqual => value >= threshold,
        _ => false,
    };

    private static string[] Split(string value) => value.Split('|');
}
