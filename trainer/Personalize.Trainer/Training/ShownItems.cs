namespace Personalize.Trainer.Training;

/// <summary>An interaction's explicit impression: the items shown to the user when they chose ItemId (IMPRESSION).</summary>
internal sealed record ShownItems(string UserId, string ItemId, IReadOnlyList<string> Items);
