namespace Personalize.Models.Filters;

public enum FilterAction
{
    Include,
    Exclude,
}

/// <summary>What a filter selects: items (recommendations, ranking) or users (segments).</summary>
public enum FilterTarget
{
    ItemId,
    UserId,
}

/// <summary>The record a field is read from.</summary>
public enum FilterSource
{
    Items,
    Users,
    Interactions,
    CurrentUser,
    CurrentItem,
}

public enum FilterOperator
{
    In,
    NotIn,
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>`Items.GENRE`, `CurrentUser.AGE`: a field of a record, upper-cased as schema columns are.</summary>
public sealed record FilterField(FilterSource Source, string Name, int Position)
{
    public override string ToString() => $"{Source}.{Name}";
}

/// <summary>The right-hand side of a condition.</summary>
public abstract record FilterOperand(int Position);

/// <summary>A literal string ("Comedy") or number (10).</summary>
public sealed record FilterLiteral(string Value, int Position) : FilterOperand(Position);

/// <summary>`$GENRES`: a value the request supplies in filterValues (the key is the name without `$`).</summary>
public sealed record FilterParameter(string Name, int Position) : FilterOperand(Position);

/// <summary>`CurrentItem.GENRE` used as a value: the request's item (related-items recipes) or user.</summary>
public sealed record FilterFieldValue(FilterField Field) : FilterOperand(Field.Position);

/// <summary>`*` in an EVENT_TYPE list: every event type.</summary>
public sealed record FilterWildcard(int Position) : FilterOperand(Position);

public abstract record FilterCondition;

/// <summary>One comparison: `Items.GENRE IN ("a", $B)`, `Items.PRICE &gt; 10`.</summary>
public sealed record FilterComparison(FilterField Field, FilterOperator Operator, IReadOnlyList<FilterOperand> Values) : FilterCondition;

public sealed record FilterAnd(IReadOnlyList<FilterCondition> Terms) : FilterCondition;

public sealed record FilterOr(IReadOnlyList<FilterCondition> Terms) : FilterCondition;

/// <summary>One `INCLUDE|EXCLUDE ItemID WHERE ... [IF CurrentUser...]` expression of a `|` chain.</summary>
public sealed record FilterClause(FilterAction Action, FilterTarget Target, FilterCondition Where, FilterCondition? If);
