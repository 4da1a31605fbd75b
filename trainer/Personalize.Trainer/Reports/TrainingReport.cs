using Personalize.Jobs;

namespace Personalize.Trainer.Reports;

/// <summary>Everything a training report shows, gathered while the version trains; the page is drawn from it alone.</summary>
internal sealed record TrainingReport
{
    public required string Version { get; init; }

    public required string Recipe { get; init; }

    public required string TrainingMode { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }

    public required double TrainingSeconds { get; init; }

    /// <summary>The winning model's offline metrics on the held-out users.</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>The popularity-count recipe on the same held-out users: the bar a model has to clear.</summary>
    public required IReadOnlyDictionary<string, double> Baseline { get; init; }

    /// <summary>The solution's earlier ACTIVE versions, oldest first.</summary>
    public required IReadOnlyList<TrainedVersion> PreviousVersions { get; init; }

    /// <summary>Every model trained: one, or each AutoML / HPO candidate in training order.</summary>
    public required IReadOnlyList<CandidateReport> Candidates { get; init; }

    /// <summary>The candidate that won (serves); its name is a key of <see cref="Candidates"/>.</summary>
    public required string Winner { get; init; }

    /// <summary>AutoML or HPO: the metric the candidates were ranked by.</summary>
    public string? Objective { get; init; }

    public required DataProfile Data { get; init; }

    /// <summary>Interactions trained with impressions, how many of them took a recommendationId's served list, and the recommendationIds not resolved.</summary>
    public (int WithImpressions, long Implicit, long Unresolved) Impressions { get; init; }

    /// <summary>aws-hrnn-metadata: whether its metadata features were kept, with both validation figures (null for other recipes).</summary>
    public string? MetadataGate { get; init; }
}

/// <summary>One trained model: its settings, metrics and the mean training loss of each epoch it ran (none for count-based recipes).</summary>
internal sealed record CandidateReport(
    string Name,
    IReadOnlyDictionary<string, string> HyperParameters,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<EpochLoss> Epochs);

internal readonly record struct EpochLoss(int Epoch, double Loss);
