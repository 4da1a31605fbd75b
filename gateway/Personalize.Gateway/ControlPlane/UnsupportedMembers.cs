using Personalize.Gateway.Protocol;

namespace Personalize.Gateway.ControlPlane;

/// <summary>A Personalize request member this installation does not act on, and why.</summary>
public sealed record UnsupportedMember(string Operation, string Path, string Reason);

/// <summary>
/// The Personalize request members this installation does not act on. The resource classes do not declare them, so
/// deserializing would drop them: a request that sets a refused one is InvalidInputException naming it, before anything
/// is written. The ones ignored by design are accepted because clients must send them. docs/api-reference.md lists both.
/// </summary>
public static class UnsupportedMembers
{
    private const string EventWeights = "this installation does not weight event types (eventType and solutionConfig.eventValueThreshold choose the events that train)";
    private const string IncrementalUpdate = "it applies to the semantic-similarity recipe, which this installation does not train";
    private const string RankingInfluence = "this installation does not apply ranking influence (POPULARITY, FRESHNESS)";
    private const string Kms = "this installation does not encrypt with AWS KMS; encrypt the bucket server-side instead";
    private const string Roles = "IAM roles mean nothing in the cluster; the installation's own object-store credentials are used";

    public static IReadOnlyList<UnsupportedMember> Refused { get; } =
    [
        new("CreateDatasetGroup", "roleArn", "Personalize uses it only with kmsKeyArn, and this installation does not encrypt with AWS KMS (omit both)"),
        new("CreateSolution", "performIncrementalUpdate", IncrementalUpdate),
        new("CreateSolution", "solutionConfig.eventsConfig", EventWeights),
        new("CreateSolution", "solutionConfig.optimizationObjective", "this installation does not optimise for an item attribute"),
        new("CreateSolution", "solutionConfig.trainingDataConfig", "this installation does not select dataset columns for training"),
        new("UpdateSolution", "performIncrementalUpdate", IncrementalUpdate),
        new("UpdateSolution", "solutionUpdateConfig.eventsConfig", EventWeights),
        new("CreateCampaign", "campaignConfig.rankingInfluence", RankingInfluence),
        new("UpdateCampaign", "campaignConfig.rankingInfluence", RankingInfluence),
        new("CreateBatchInferenceJob", "batchInferenceJobConfig.rankingInfluence", RankingInfluence),
        new("CreateBatchInferenceJob", "jobInput.s3DataSource.kmsKeyArn", Kms),
        new("CreateBatchInferenceJob", "jobOutput.s3DataDestination.kmsKeyArn", Kms),
        new("CreateBatchInferenceJob", "themeGenerationConfig", "this installation does not generate themes"),
    ];

    public static IReadOnlyList<UnsupportedMember> IgnoredByDesign { get; } =
    [
        new("CreateDatasetImportJob", "roleArn", Roles),
        new("CreateBatchInferenceJob", "roleArn", Roles),
    ];

    /// <summary>Refuses the first refused member of <paramref name="operation"/> the request sets; an empty, null or false one changes nothing and passes.</summary>
    public static void ThrowIfSet(string operation, RequestFields request)
    {
        if (Refused.FirstOrDefault(m => m.Operation == operation && request.Sets(m.Path)) is { } member)
        {
            throw PersonalizeException.InvalidInput($"{member.Path} is not supported: {member.Reason}.");
        }
    }
}
