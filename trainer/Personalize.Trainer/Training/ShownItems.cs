namespace Personalize.Trainer.Training;

/// <summary>An interaction's impression: the items shown to the user when they chose ItemId (IMPRESSION, or its recommendationId's list).</summary>
internal sealed record ShownItems(string UserId, string ItemId, IReadOnlyList<string> Items);
