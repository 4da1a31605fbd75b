using Personalize.Data.Datasets;
using Personalize.Models.Filters;

namespace Personalize.Runtime.Serving;

/// <summary>
/// What the runtime reads of the dataset group at start-up (through Personalize.Data's reader): item metadata for
/// filters and metadataColumns, user metadata for CurrentUser conditions, and, only when a filter reads Interactions,
/// each user's imported interactions with their event types.
/// </summary>
public static class BulkData
{
    private const int ItemBatch = 50_000;

    public static async Task LoadAsync(CampaignState campaign, DatasetReader datasets, CancellationToken cancellationToken)
    {
        var items = new List<ItemUpdate>();
        await foreach (var item in datasets.ReadItemsAsync(cancellationToken))
        {
            items.Add(FilterRecords.Item(item));
            if (items.Count == ItemBatch)
            {
                campaign.UpsertItems(items);
                items = [];
            }
        }

        campaign.UpsertItems(items);
        await foreach (var user in datasets.ReadUsersAsync(cancellationToken))
        {
            campaign.UpsertUser(user.UserId, FilterRecords.Text(user.Fields));
        }

        if (campaign.FiltersReadInteractions)
        {
            await foreach (var interaction in datasets.ReadInteractionsAsync(includeRealtime: false, cancellationToken))
            {
                campaign.BulkHistory.Add(interaction.UserId, FilterRecords.Interaction(interaction));
            }
        }
    }
}
