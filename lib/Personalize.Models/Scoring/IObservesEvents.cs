namespace Personalize.Models.Scoring;

/// <summary>A recommender whose answers follow real-time events without retraining (aws-trending-now).</summary>
public interface IObservesEvents
{
    /// <summary>One interaction (PutEvents, local or a peer's, after the model's training data).</summary>
    void Observe(string itemId, string? eventType, double? eventValue, long timestamp);
}
