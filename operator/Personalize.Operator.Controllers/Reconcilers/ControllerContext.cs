using Microsoft.Extensions.Logging;
using Personalize.Data.Storage;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>What every reconciler works with: the two seams, the object store, events, status writes and settings.</summary>
public sealed record ControllerContext(
    IResourceStore Store,
    IWorkloadLauncher Launcher,
    IEventRecorder Events,
    IObjectStore Objects,
    StatusWriter Status,
    OperatorSettings Settings,
    ILoggerFactory Loggers)
{
    public StoreLayout Layout { get; } = new(Settings.Bucket);

    public TimeProvider Time => Status.Time;

    /// <summary>The dataset group's prefix in the object store (where its data, models and job results live).</summary>
    public S3Uri GroupUri(string @namespace, string datasetGroup) => Layout.DatasetGroup(@namespace, datasetGroup);

    /// <summary>Why a job of the namespace may not use a location (naming the field and the rule), or null.</summary>
    public string? LocationRefusal(string @namespace, string field, string location) =>
        Settings.DataLocations?.Refusal(@namespace, Settings.Bucket, field, location);
}
