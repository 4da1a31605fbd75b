using System.Collections.Concurrent;
using Personalize.Models.Filters;

namespace Personalize.Runtime.Serving;

/// <summary>
/// Each user's interactions since the model was trained (this replica's PutEvents and its peers'), newest last and
/// capped, so the next request sees them at once. Users first seen here become known from their events.
/// </summary>
public sealed class UserActivity(int maxPerUser)
{
    private readonly ConcurrentDictionary<string, List<FilterInteraction>> _users = new(StringComparer.Ordinal);

    public void Add(string userId, FilterInteraction interaction)
    {
        var events = _users.GetOrAdd(userId, _ => []);
        lock (events)
        {
            // Peers' events can arrive after later local ones: keep time order (stable for equal timestamps).
            var index = events.Count;
            while (index > 0 && events[index - 1].Timestamp > interaction.Timestamp)
            {
                index--;
            }

            events.Insert(index, interaction);
            if (events.Count > maxPerUser)
            {
                events.RemoveRange(0, events.Count - maxPerUser);
            }
        }
    }

    /// <summary>Hands everything recorded under one id (an anonymous session) to another (the user who logged in).</summary>
    public void MoveTo(string fromId, string toId)
    {
        if (!_users.TryRemove(fromId, out var events))
        {
            return;
        }

        lock (events)
        {
            foreach (var interaction in events)
            {
                Add(toId, interaction);
            }
        }
    }

    /// <summary>A snapshot of the user's recent interactions, oldest first; empty when there are none.</summary>
    public IReadOnlyList<FilterInteraction> Recent(string? userId)
    {
        if (userId is null || !_users.TryGetValue(userId, out var events))
        {
            return [];
        }

        lock (events)
        {
            return [.. events];
        }
    }
}
