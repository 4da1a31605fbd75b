using Personalize.Models.Training;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Hrnn;

/// <summary>
/// aws-user-personalization's impressions as negatives: for a user's interaction with an item, the items shown with
/// it and not chosen. Training ranks the chosen item above each of them at that step (a pairwise logistic loss beside
/// the softmax), so an item shown often and rarely chosen loses rank.
/// </summary>
internal sealed class ImpressionNegatives
{
    private readonly Dictionary<(int User, int Item), int[]> _shown;

    private ImpressionNegatives(Dictionary<(int User, int Item), int[]> shown) => _shown = shown;

    /// <summary>Negative pairs in all: a checkpoint is only resumed by a run with the same impressions.</summary>
    public long Pairs => _shown.Values.Sum(n => (long)n.Length);

    /// <summary>Rows of <paramref name="data"/>; items it does not know are left out. Null when nothing remains.</summary>
    public static ImpressionNegatives? Build(UserSequences data, IEnumerable<ShownItems> impressions)
    {
        var users = data.UserIds.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row, StringComparer.Ordinal);
        var items = data.ItemIds.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row, StringComparer.Ordinal);
        var shown = new Dictionary<(int User, int Item), HashSet<int>>();
        foreach (var impression in impressions)
        {
            if (!users.TryGetValue(impression.UserId, out var user) || !items.TryGetValue(impression.ItemId, out var item))
            {
                continue;
            }

            foreach (var other in impression.Items)
            {
                if (items.TryGetValue(other, out var negative) && negative != item)
                {
                    (shown.TryGetValue((user, item), out var set) ? set : shown[(user, item)] = []).Add(negative);
                }
            }
        }

        return shown.Count == 0 ? null : new ImpressionNegatives(shown.ToDictionary(p => p.Key, p => p.Value.Order().ToArray()));
    }

    /// <summary>The items shown and not chosen when this user chose this item; empty when none.</summary>
    public int[] For(int user, int item) => _shown.GetValueOrDefault((user, item)) ?? [];
}
