namespace Personalize.Models.Filters;

/// <summary>
/// Recursive-descent parser of Personalize's filter grammar:
/// <code>
/// chain      := clause ('|' clause)*
/// clause     := (INCLUDE|EXCLUDE) (ItemID|UserID) WHERE or [IF or]
/// or         := and (OR and)*
/// and        := comparison (AND comparison)*
/// comparison := field (IN | NOT IN) '(' operand (',' operand)* ')' | field (= | &lt; | &lt;= | &gt; | &gt;=) operand
/// operand    := "string" | number | $PARAM | * | CurrentItem.FIELD
/// </code>
/// It also enforces the rules Personalize states beside the grammar, so a Filter resource is rejected up front.
/// </summary>
internal sealed class FilterParser
{
    public const int MaxLength = 2500;
    public const int MaxDistinctFields = 5;

    private readonly List<FilterToken> _tokens;
    private int _next;

    private FilterParser(List<FilterToken> tokens) => _tokens = tokens;

    public static IReadOnlyList<FilterClause> Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FilterParseException(0, "the expression is empty.");
        }

        if (text.Length > MaxLength)
        {
            throw new FilterParseException(MaxLength, $"the expression is {text.Length} characters; at most {MaxLength} are allowed.");
        }

        var parser = new FilterParser(FilterLexer.Tokenize(text));
        var clauses = new List<FilterClause> { parser.ParseClause() };
        while (parser.Peek.Kind == FilterTokenKind.Pipe)
        {
            parser._next++;
            clauses.Add(parser.ParseClause());
        }

        if (parser.Peek.Kind != FilterTokenKind.End)
        {
            throw parser.Unexpected("'|', AND, OR, IF or the end of the expression");
        }

        CheckDistinctFields(clauses);
        return clauses;
    }

    private FilterToken Peek => _tokens[_next];

    private FilterToken Take() => _tokens[_next++];

    private FilterParseException Unexpected(string expected) =>
        new(Peek.Position, $"expected {expected}, found {Peek.Describe()}.");

    private FilterToken ExpectWord(string expected, params string[] keywords)
    {
        if (keywords.Any(Peek.IsWord))
        {
            return Take();
        }

        throw Unexpected(expected);
    }

    private FilterClause ParseClause()
    {
        var action = ExpectWord("INCLUDE or EXCLUDE", "INCLUDE", "EXCLUDE").IsWord("INCLUDE") ? FilterAction.Include : FilterAction.Exclude;
        var target = ExpectWord("ItemID or UserID", "ItemID", "UserID").IsWord("ItemID") ? FilterTarget.ItemId : FilterTarget.UserId;
        ExpectWord("WHERE", "WHERE");
        var where = ParseOr(target, inIf: false);
        CheckSingleDataset(where);
        FilterCondition? condition = null;
        if (Peek.IsWord("IF"))
        {
            var ifToken = Take();
            if (target != FilterTarget.ItemId)
            {
                throw new FilterParseException(ifToken.Position, "IF CurrentUser conditions apply only to ItemID filters.");
            }

            condition = ParseOr(target, inIf: true);
        }

        return new FilterClause(action, target, where, condition);
    }

    private FilterCondition ParseOr(FilterTarget target, bool inIf)
    {
        var terms = new List<FilterCondition> { ParseAnd(target, inIf) };
        while (Peek.IsWord("OR"))
        {
            _next++;
            terms.Add(ParseAnd(target, inIf));
        }

        return terms.Count == 1 ? terms[0] : new FilterOr(terms);
    }

    private FilterCondition ParseAnd(FilterTarget target, bool inIf)
    {
        var terms = new List<FilterCondition> { ParseComparison(target, inIf) };
        while (Peek.IsWord("AND"))
        {
            _next++;
            terms.Add(ParseComparison(target, inIf));
        }

        return terms.Count == 1 ? terms[0] : new FilterAnd(terms);
    }

    private FilterComparison ParseComparison(FilterTarget target, bool inIf)
    {
        var field = ParseField();
        CheckSubject(field, target, inIf);
        if (Peek.IsWord("IN") || Peek.IsWord("NOT"))
        {
            var negated = Take().IsWord("NOT");
            if (negated)
            {
                ExpectWord("IN after NOT", "IN");
            }

            if (Peek.Kind != FilterTokenKind.OpenParen)
            {
                throw Unexpected($"'(' to start the value list of {field}");
            }

            _next++;
            var values = new List<FilterOperand> { ParseOperand(field, target) };
            while (Peek.Kind == FilterTokenKind.Comma)
            {
                _next++;
                values.Add(ParseOperand(field, target));
            }

            if (Peek.Kind != FilterTokenKind.CloseParen)
            {
                throw Unexpected($"',' or ')' in the value list of {field}");
            }

            _next++;
            return new FilterComparison(field, negated ? FilterOperator.NotIn : FilterOperator.In, values);
        }

        if (Peek.Kind != FilterTokenKind.Operator)
        {
            throw Unexpected($"IN, NOT IN, =, <, <=, > or >= after {field}");
        }

        var op = Take().Text switch
        {
            "=" => FilterOperator.Equal,
            "<" => FilterOperator.Less,
            "<=" => FilterOperator.LessOrEqual,
            ">" => FilterOperator.Greater,
            _ => FilterOperator.GreaterOrEqual,
        };
        var operand = ParseOperand(field, target);
        if (operand is FilterWildcard)
        {
            throw new FilterParseException(operand.Position, "'*' is only allowed in an IN list of Interactions.EVENT_TYPE.");
        }

        if (op != FilterOperator.Equal && operand is FilterLiteral literal && !FilterValues.IsNumber(literal.Value))
        {
            throw new FilterParseException(operand.Position, $"{field} is compared with {Describe(op)}, which needs a number, not \"{literal.Value}\".");
        }

        return new FilterComparison(field, op, [operand]);
    }

    private FilterField ParseField()
    {
        if (Peek.Kind != FilterTokenKind.Word)
        {
            throw Unexpected("a field such as Items.GENRE");
        }

        var sourceToken = Take();
        FilterSource? source = sourceToken.Text.ToUpperInvariant() switch
        {
            "ITEMS" => FilterSource.Items,
            "USERS" => FilterSource.Users,
            "INTERACTIONS" => FilterSource.Interactions,
            "CURRENTUSER" => FilterSource.CurrentUser,
            "CURRENTITEM" => FilterSource.CurrentItem,
            _ => null,
        };
        if (source is null)
        {
            throw new FilterParseException(sourceToken.Position,
                $"unknown dataset '{sourceToken.Text}'; expected Items, Users, Interactions, CurrentUser or CurrentItem.");
        }

        if (Peek.Kind != FilterTokenKind.Dot)
        {
            throw Unexpected($"'.' and a field name after {sourceToken.Text}");
        }

        _next++;
        if (Peek.Kind != FilterTokenKind.Word)
        {
            throw Unexpected($"a field name after {sourceToken.Text}.");
        }

        return new FilterField(source.Value, Take().Text.ToUpperInvariant(), sourceToken.Position);
    }

    private FilterOperand ParseOperand(FilterField field, FilterTarget target)
    {
        var token = Peek;
        switch (token.Kind)
        {
            case FilterTokenKind.String:
            case FilterTokenKind.Number:
                _next++;
                return new FilterLiteral(token.Text, token.Position);
            case FilterTokenKind.Parameter:
                _next++;
                if (token.Text.Length > 50)
                {
                    throw new FilterParseException(token.Position, $"parameter ${token.Text} is longer than 50 characters.");
                }

                return new FilterParameter(token.Text, token.Position);
            case FilterTokenKind.Star:
                _next++;
                if (field is not { Source: FilterSource.Interactions, Name: "EVENT_TYPE" })
                {
                    throw new FilterParseException(token.Position, $"'*' is only allowed for Interactions.EVENT_TYPE, not {field}.");
                }

                return new FilterWildcard(token.Position);
            case FilterTokenKind.Word:
                var valueField = ParseField();
                if (valueField.Source != FilterSource.CurrentItem || target != FilterTarget.ItemId)
                {
                    throw new FilterParseException(valueField.Position,
                        $"{valueField} cannot be used as a value; only CurrentItem fields can (in ItemID filters).");
                }

                return new FilterFieldValue(valueField);
            default:
                throw Unexpected($"a value for {field} (a \"string\", a number or a $PARAMETER)");
        }
    }

    private static void CheckSubject(FilterField field, FilterTarget target, bool inIf)
    {
        if (inIf)
        {
            if (field.Source != FilterSource.CurrentUser)
            {
                throw new FilterParseException(field.Position, $"an IF condition must test CurrentUser fields, not {field}.");
            }

            return;
        }

        var allowed = target == FilterTarget.ItemId
            ? field.Source is FilterSource.Items or FilterSource.Interactions
            : field.Source is FilterSource.Users or FilterSource.Interactions;
        if (!allowed)
        {
            var datasets = target == FilterTarget.ItemId ? "Items or Interactions" : "Users or Interactions";
            var hint = field.Source == FilterSource.CurrentUser ? " (CurrentUser belongs in a trailing IF condition)" : string.Empty;
            throw new FilterParseException(field.Position,
                $"{(target == FilterTarget.ItemId ? "ItemID" : "UserID")} filters compare {datasets} fields, not {field}{hint}.");
        }
    }

    private static void CheckSingleDataset(FilterCondition where)
    {
        var fields = Subjects(where).ToList();
        var first = fields[0].Source;
        var other = fields.FirstOrDefault(f => f.Source != first);
        if (other is not null)
        {
            throw new FilterParseException(other.Position,
                $"AND/OR may only combine fields of one dataset; {other} follows a condition on {first} (chain another expression with '|' instead).");
        }
    }

    private static void CheckDistinctFields(IReadOnlyList<FilterClause> clauses)
    {
        var distinct = new List<FilterField>();
        foreach (var field in clauses.SelectMany(c => Fields(c.Where).Concat(c.If is null ? [] : Fields(c.If))))
        {
            if (!distinct.Any(f => f.Source == field.Source && f.Name == field.Name))
            {
                distinct.Add(field);
                if (distinct.Count > MaxDistinctFields)
                {
                    throw new FilterParseException(field.Position, $"a filter may use at most {MaxDistinctFields} distinct fields; {field} is the sixth.");
                }
            }
        }
    }

    private static IEnumerable<FilterField> Subjects(FilterCondition condition) => condition switch
    {
        FilterComparison c => [c.Field],
        FilterAnd a => a.Terms.SelectMany(Subjects),
        FilterOr o => o.Terms.SelectMany(Subjects),
        _ => [],
    };

    internal static IEnumerable<FilterField> Fields(FilterCondition condition) => condition switch
    {
        FilterComparison c => [c.Field, .. c.Values.OfType<FilterFieldValue>().Select(v => v.Field)],
        FilterAnd a => a.Terms.SelectMany(Fields),
        FilterOr o => o.Terms.SelectMany(Fields),
        _ => [],
    };

    private static string Describe(FilterOperator op) => op switch
    {
        FilterOperator.Less => "<",
        FilterOperator.LessOrEqual => "<=",
        FilterOperator.Greater => ">",
        _ => ">=",
    };
}
