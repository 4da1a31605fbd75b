using Personalize.Data.Datasets;
using Personalize.Models.Filters;

namespace Personalize.Trainer.Batch;

/// <summary>
/// A filter expression with what it is evaluated against in batch: item metadata, user metadata and (only when the
/// expression reads Interactions) each user's interactions, all read once from the dataset group.
/// </summary>
internal sealed class BatchFilter
{
    private readonly ItemTable _items;
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _users;
    private readonly Dictionary<string, List<FilterInteraction>> _interactions;

    private BatchFilter(FilterExpression expression, ItemTable items, Dictionary<string, IReadOnlyDictionary<string, string>> users, Dictionary<string, List<FilterInteraction>> interactions)
    {
        Expression = expression;
        _items = items;
        _users = users;
        _interactions = interactions;
    }

    public FilterExpression Expression { get; }

    public static async Task<BatchFilter> LoadAsync(FilterExpression expression, IReadOnlyList<string> modelItems, DatasetReader? datasets, CancellationToken cancellationToken)
    {
        var table = ItemTable.Create(modelItems);
        var users = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        var history = new Dictionary<string, List<FilterInteraction>>(StringComparer.Ordinal);
        if (datasets is null)
        {
            return new BatchFilter(expression, table, users, history);
        }

        var updates = new List<ItemUpdate>();
        await foreach (var item in datasets.ReadItemsAsync(cancellationToken))
        {
            updates.Add(FilterRecords.Item(item));
        }

        table = table.With(updates);
        await foreach (var user in datasets.ReadUsersAsync(cancellationToken))
        {
            users[user.UserId] = FilterRecords.Text(user.Fields)!;
        }

        if (expression.UsesInteractions)
        {
            await foreach (var interaction in datasets.ReadInteractionsAsync(includeRealtime: false, cancellationToken))
            {
                if (!history.TryGetValue(interaction.UserId, out var list))
                {
                    history[interaction.UserId] = list = [];
                }

                list.Add(FilterRecords.Interaction(interaction));
            }
        }

        return new BatchFilter(expression, table, users, history);
    }

    /// <summary>The candidate test for one input line; throws FilterValueException for bad filterValues.</summary>
    public Func<string, bool>? For(string? userId, string? itemId, IReadOnlyDictionary<string, string>? filterValues)
    {
        var bound = Expression.Bind(filterValues);
        if (bound.IsEmpty)
        {
            return null;
        }

        var context = new FilterContext(_items)
        {
            Interactions = userId is not null && _interactions.TryGetValue(userId, out var list) ? list : [],
            CurrentUser = userId is not null ? _users.GetValueOrDefault(userId) : null,
            CurrentItemId = itemId,
        };
        return bound.Compile(context).Allows;
    }
}
