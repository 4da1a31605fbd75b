namespace Personalize.Models.Artifacts;

/// <summary>The tensor names in model.safetensors; the trainer writes them and the scorers read them.</summary>
public static class TensorNames
{
    // Every recipe.
    public const string ItemPopularity = "item_popularity";             // F32 [items]: unique users per item
    public const string UserHistoryOffsets = "user_history_offsets";    // I32 [users + 1]
    public const string UserHistoryItems = "user_history_items";        // I32 [entries]: item rows, oldest first
    public const string ItemAgeDays = "item_age_days";                  // F32 [items]: days from creation to the newest interaction (hrnn; exploration)

    // hrnn: x_t = item_input[item]; h = GRU(x, h) (torch.nn.GRU gate order r, z, n); logits = item_output . h + item_output_bias,
    // with h followed by the sum of history_item_input over the same items where the model has a co-occurrence term.
    public const string ItemInput = "item_input";                       // F32 [items, input]
    public const string GruWeightIh = "gru_weight_ih";                  // F32 [3 hidden, input]
    public const string GruWeightHh = "gru_weight_hh";                  // F32 [3 hidden, hidden]
    public const string GruBiasIh = "gru_bias_ih";                      // F32 [3 hidden]
    public const string GruBiasHh = "gru_bias_hh";                      // F32 [3 hidden]
    public const string ItemOutput = "item_output";                     // F32 [items, hidden]
    public const string ItemOutputBias = "item_output_bias";            // F32 [items]
    public const string UserInitialState = "user_initial_state";        // F32 [users, hidden]: metadata recipes only
    // The co-occurrence term (ModelManifest.CoOccurrence): the state gains the sum of these rows over the items the GRU
    // reads, and item_output's last columns (past the GRU's hidden) score that sum: EASE's item-item weights, factored.
    public const string HistoryItemInput = "history_item_input";        // F32 [items, rank]
    public const string ContextState = "context_state";                 // F32 [context tokens, hidden]: added to h, averaged over the request's tokens
    public const string AnnCentroids = "ann_centroids";                 // F32 [lists, hidden + 1]: ANN index (shipped only if it passed the recall gate)
    public const string AnnListOffsets = "ann_list_offsets";            // I32 [lists + 1]
    public const string AnnListRows = "ann_list_rows";                  // I32 [items]: item rows, list after list

    // sims: each item's neighbours, best first.
    public const string SimsOffsets = "sims_offsets";                   // I32 [items + 1]
    public const string SimsNeighbors = "sims_neighbors";               // I32 [entries]
    public const string SimsScores = "sims_scores";                     // F32 [entries]

    // trending: interactions per item in each slot of the two latest intervals, oldest slot first (TrendWindow).
    public const string TrendSlotOffsets = "trend_slot_offsets";        // I32 [slots + 1]
    public const string TrendSlotItems = "trend_slot_items";            // I32 [entries]: item rows
    public const string TrendSlotCounts = "trend_slot_counts";          // F32 [entries]
}
