namespace Personalize.Models.Recipes;

/// <summary>
/// Users' recurrent states with the item window each was computed from, least recently used dropped beyond a
/// capacity. Thread-safe; entries are never changed in place, so a state handed out stays valid.
/// </summary>
public sealed class UserStateCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = [];

    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    public bool TryGet(string userId, out int[] window, out float[] state)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(userId, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                (window, state) = (node.Value.Window, node.Value.State);
                return true;
            }
        }

        (window, state) = ([], []);
        return false;
    }

    public void Set(string userId, int[] window, float[] state)
    {
        lock (_entries)
        {
            if (_entries.Remove(userId, out var old))
            {
                _recency.Remove(old);
            }

            _entries[userId] = _recency.AddFirst(new Entry(userId, window, state));
            if (_entries.Count > capacity)
            {
                _entries.Remove(_recency.Last!.Value.UserId);
                _recency.RemoveLast();
            }
        }
    }

    private sealed record Entry(string UserId, int[] Window, float[] State);
}
