namespace Personalize.Models.Filters;

/// <summary>A bound filter compiled against one request's context: a test per item ordinal or id.</summary>
public sealed class FilterPredicate
{
    private readonly ItemTable _items;
    private readonly Func<int, string?, bool>[] _tests;

    internal FilterPredicate(ItemTable items, IEnumerable<Func<int, string?, bool>> tests)
    {
        _items = items;
        _tests = [.. tests];
    }

    public bool Allows(int ordinal)
    {
        foreach (var test in _tests)
        {
            if (!test(ordinal, null))
            {
                return false;
            }
        }

        return true;
    }

    public bool Allows(string itemId)
    {
        var ordinal = _items.OrdinalOf(itemId);
        foreach (var test in _tests)
        {
            if (!test(ordinal, itemId))
            {
                return false;
            }
        }

        return true;
    }
}
