namespace Personalize.Runtime.Realtime;

/// <summary>One PutEvents event, PutUsers user or PutItems item as a dataset row: schema column name to value.</summary>
public sealed record RealtimeRecord(string DatasetType, IReadOnlyDictionary<string, object?> Fields);
