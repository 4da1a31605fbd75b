using Personalize.Models.Filters;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>The filter grammar (parser and evaluator in Personalize.Models.Filters), on a small in-memory catalogue.</summary>
public sealed class FilterExpressionTests
{
    private static readonly ItemTable Catalogue = ItemTable.Create(["a", "b", "c", "d"]).With(
    [
        new ItemUpdate("a", new Dictionary<string, string?> { ["GENRE"] = "Comedy|Drama", ["PRICE"] = "5", ["BRAND"] = "x" }),
        new ItemUpdate("b", new Dictionary<string, string?> { ["GENRE"] = "Horror", ["PRICE"] = "15", ["BRAND"] = "y" }),
        new ItemUpdate("c", new Dictionary<string, string?> { ["GENRE"] = "Drama", ["PRICE"] = "25", ["BRAND"] = "x" }),
    ]);

    [Theory]
    [InlineData("EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"purchase\")")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN ($GENRES)")]
    [InlineData("INCLUDE ItemID WHERE Items.PRICE > 10 AND Items.BRAND NOT IN (\"y\") IF CurrentUser.AGE >= 18")]
    [InlineData("EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (*) | INCLUDE ItemID WHERE Items.GENRE IN (CurrentItem.GENRE)")]
    [InlineData("include itemid where items.genre in (\"a\", \"b\") or items.price <= 3")]
    [InlineData("EXCLUDE UserID WHERE Users.AGE < 21")]
    public void ValidExpressionsParse(string text) => Assert.True(FilterExpression.TryParse(text, out _, out var error), error?.Message);

    [Theory]
    [InlineData("", 1, "empty")]
    [InlineData("KEEP ItemID WHERE Items.GENRE IN (\"a\")", 1, "INCLUDE or EXCLUDE")]
    [InlineData("INCLUDE ItemID Items.GENRE IN (\"a\")", 16, "WHERE")]
    [InlineData("INCLUDE ItemID WHERE Things.GENRE IN (\"a\")", 22, "unknown dataset 'Things'")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE LIKE (\"a\")", 34, "IN, NOT IN")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (\"a\"", 41, "',' or ')'")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (\"a)", 38, "not closed")]
    [InlineData("INCLUDE ItemID WHERE Items.PRICE > \"cheap\"", 36, "needs a number")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (*)", 38, "'*'")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (\"a\") AND Interactions.EVENT_TYPE IN (\"b\")", 47, "one dataset")]
    [InlineData("INCLUDE ItemID WHERE CurrentUser.AGE > 3", 22, "IF condition")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (\"a\") IF Items.PRICE > 3", 46, "CurrentUser")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (\"a\") extra", 43, "end of the expression")]
    public void BadExpressionsNameThePositionAndTheProblem(string text, int position, string problem)
    {
        var error = Assert.Throws<FilterParseException>(() => FilterExpression.Parse(text));
        Assert.Equal(position, error.Position + 1);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains($"position {position}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MoreThanFiveDistinctFieldsIsRejected()
    {
        var text = "INCLUDE ItemID WHERE Items.A IN (\"1\") AND Items.B IN (\"1\") AND Items.C IN (\"1\") AND Items.D IN (\"1\") AND Items.E IN (\"1\") AND Items.F IN (\"1\")";
        Assert.Contains("at most 5 distinct fields", Assert.Throws<FilterParseException>(() => FilterExpression.Parse(text)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParametersAreListed_IncludeOnesRequired()
    {
        var filter = FilterExpression.Parse("INCLUDE ItemID WHERE Items.GENRE IN ($GENRES) | EXCLUDE ItemID WHERE Items.BRAND IN ($BRAND)");
        Assert.Equal(["GENRES", "BRAND"], filter.Parameters);
        Assert.Equal(["GENRES"], filter.RequiredParameters);
        Assert.Contains("filterValues.GENRES is required", Assert.Throws<FilterValueException>(() => filter.Bind(null)).Message, StringComparison.Ordinal);
        Assert.Contains("not a parameter", Assert.Throws<FilterValueException>(() => filter.Bind(new Dictionary<string, string> { ["GENRES"] = "\"a\"", ["OTHER"] = "\"b\"" })).Message, StringComparison.Ordinal);
        Assert.Contains("must be quoted", Assert.Throws<FilterValueException>(() => filter.Bind(new Dictionary<string, string> { ["GENRES"] = "Comedy" })).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (\"Drama\")", "a,c")]
    [InlineData("EXCLUDE ItemID WHERE Items.GENRE IN (\"Drama\")", "b,d")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE NOT IN (\"Drama\")", "b,d")]
    [InlineData("INCLUDE ItemID WHERE Items.PRICE > 10", "b,c")]
    [InlineData("INCLUDE ItemID WHERE Items.PRICE <= 15 AND Items.BRAND IN (\"x\")", "a")]
    [InlineData("INCLUDE ItemID WHERE Items.PRICE = 25 OR Items.GENRE IN (\"Horror\")", "b,c")]
    [InlineData("INCLUDE ItemID WHERE Items.BRAND IN (\"x\") | EXCLUDE ItemID WHERE Items.PRICE < 10", "c")]
    [InlineData("EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"PURCHASE\")", "a,c,d")]
    [InlineData("EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (*)", "d")]
    [InlineData("INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"click\") AND Interactions.EVENT_VALUE > 2", "c")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (CurrentItem.GENRE)", "a,c")]
    [InlineData("EXCLUDE ItemID WHERE Items.PRICE > 1 IF CurrentUser.AGE < 18", "d")]
    [InlineData("EXCLUDE ItemID WHERE Items.PRICE > 1 IF CurrentUser.AGE >= 18", "a,b,c,d")]
    public void EvaluatesOverTheCatalogue(string text, string expected)
    {
        var context = new FilterContext(Catalogue)
        {
            Interactions =
            [
                new FilterInteraction("b", "purchase", null, 1),
                new FilterInteraction("a", "click", 1, 2),
                new FilterInteraction("c", "click", 5, 3),
            ],
            CurrentUser = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["AGE"] = "15" },
            CurrentItemId = "c",
        };
        var bound = FilterExpression.Parse(text).Bind(null);
        var allowed = new bool[Catalogue.Count];
        Array.Fill(allowed, true);
        bound.Apply(context, allowed);
        Assert.Equal(expected, string.Join(',', Enumerable.Range(0, Catalogue.Count).Where(i => allowed[i]).Select(Catalogue.ItemId)));
        Assert.Equal(expected, string.Join(',', new[] { "a", "b", "c", "d" }.Where(id => bound.Allows(context, id))));
    }

    [Fact]
    public void ParameterValues_AndOmittedExcludeParametersSkipTheirCondition()
    {
        var filter = FilterExpression.Parse("EXCLUDE ItemID WHERE Items.GENRE IN ($GENRES) | INCLUDE ItemID WHERE Items.PRICE < $MAX");
        var context = new FilterContext(Catalogue);
        var both = filter.Bind(new Dictionary<string, string> { ["GENRES"] = "\"Horror\", \"Comedy\"", ["MAX"] = "30" });
        Assert.Equal(["c"], new[] { "a", "b", "c", "d" }.Where(id => both.Allows(context, id)));
        var onlyMax = filter.Bind(new Dictionary<string, string> { ["MAX"] = "30" });
        Assert.Equal(["a", "b", "c"], new[] { "a", "b", "c", "d" }.Where(id => onlyMax.Allows(context, id)));
    }

    [Fact]
    public void UnknownItemsHaveNoMetadata()
    {
        var context = new FilterContext(Catalogue);
        Assert.False(FilterExpression.Parse("INCLUDE ItemID WHERE Items.GENRE IN (\"Drama\")").Bind(null).Allows(context, "zzz"));
        Assert.True(FilterExpression.Parse("INCLUDE ItemID WHERE Items.GENRE NOT IN (\"Drama\")").Bind(null).Allows(context, "zzz"));
    }

    [Fact]
    public void UserFiltersSelectUsers()
    {
        var bound = FilterExpression.Parse("EXCLUDE UserID WHERE Users.AGE < 21").Bind(null);
        Assert.False(bound.AllowsUser(new Dictionary<string, string> { ["AGE"] = "18" }, []));
        Assert.True(bound.AllowsUser(new Dictionary<string, string> { ["AGE"] = "40" }, []));
    }
}
