namespace Personalize.Data.Storage;

/// <summary>
/// Where each thing lives in the object store. One place decides, so the operator, trainer and runtime agree:
/// s3://{bucket}/{namespace}/{datasetGroup}/
///   datasets/{Interactions|Users|Items}/schema.json   the dataset's schema (StoredSchema)
///   datasets/{Interactions|Users|Items}/bulk/...      imported bulk data (replaced by FULL imports)
///   datasets/{Interactions|Users|Items}/realtime/...  PutEvents / PutUsers / PutItems records
///   datasets/{Interactions|Users|Items}/compacted/... real-time records folded into Parquet, behind watermarks
///   datasets/Recommendations/{realtime|compacted}/... the lists the runtime served, by recommendationId (not a dataset:
///                                                     a real-time log of its own, kept for a retention window)
///   imports/{importJob}/report.json                   import reports
///   solutions/{solution}/{version}/model/             model artifact (manifest.json, model.safetensors)
///   solutions/{solution}/{version}/checkpoints/       training checkpoints
///   solutions/{solution}/{version}/revisions/{n}/model/  a campaign's automatic update n of the version's model
///   solutions/{solution}/{version}/report.html        the training report (self-contained HTML)
///   jobs/{kind}/{name}/result.json, progress.jsonl    what a trainer run reports
/// </summary>
public sealed class StoreLayout(string bucket)
{
    public string Bucket { get; } = bucket;

    public S3Uri DatasetGroup(string @namespace, string datasetGroup) => new(Bucket, $"{@namespace}/{datasetGroup}/");

    public static S3Uri Dataset(S3Uri datasetGroup, string datasetType) => datasetGroup.Append($"datasets/{datasetType}/");

    public static S3Uri DatasetSchema(S3Uri datasetGroup, string datasetType) => Dataset(datasetGroup, datasetType).Append("schema.json");

    public static S3Uri BulkData(S3Uri datasetGroup, string datasetType) => Dataset(datasetGroup, datasetType).Append("bulk/");

    public static S3Uri RealtimeData(S3Uri datasetGroup, string datasetType) => Dataset(datasetGroup, datasetType).Append("realtime/");

    public static S3Uri RealtimeCompacted(S3Uri datasetGroup, string datasetType) => Dataset(datasetGroup, datasetType).Append("compacted/");

    public static S3Uri ImportReport(S3Uri datasetGroup, string importJob) => datasetGroup.Append($"imports/{importJob}/report.json");

    public static S3Uri SolutionVersion(S3Uri datasetGroup, string solution, string version) =>
        datasetGroup.Append($"solutions/{solution}/{version}/");

    public static S3Uri Model(S3Uri datasetGroup, string solution, string version) =>
        SolutionVersion(datasetGroup, solution, version).Append("model/");

    /// <summary>Revision n of a version's model, written by a campaign's automatic update (the version's own model is revision 0).</summary>
    public static S3Uri ModelRevision(S3Uri datasetGroup, string solution, string version, int revision) =>
        SolutionVersion(datasetGroup, solution, version).Append($"revisions/{revision}/model/");

    public static S3Uri Checkpoints(S3Uri datasetGroup, string solution, string version) =>
        SolutionVersion(datasetGroup, solution, version).Append("checkpoints/");

    public static S3Uri Report(S3Uri datasetGroup, string solution, string version) =>
        SolutionVersion(datasetGroup, solution, version).Append("report.html");

    public static S3Uri JobResult(S3Uri datasetGroup, string kind, string name) => datasetGroup.Append($"jobs/{kind}/{name}/result.json");

    public static S3Uri JobProgress(S3Uri datasetGroup, string kind, string name) => datasetGroup.Append($"jobs/{kind}/{name}/progress.jsonl");
}
