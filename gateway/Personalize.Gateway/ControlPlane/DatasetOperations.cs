using System.Text.Json.Nodes;
using Personalize.Api;
using Personalize.Gateway.Protocol;
using Personalize.Operator.Controllers.Reconcilers;

namespace Personalize.Gateway.ControlPlane;

/// <summary>Dataset groups, schemas, datasets and dataset import jobs.</summary>
public static class DatasetOperations
{
    private static readonly string[] DatasetTypes = ["Interactions", "Items", "Users"];

    public static async Task<JsonObject> CreateDatasetGroupAsync(Call call)
    {
        var group = new DatasetGroup();
        group.Spec.Domain = call.Request.String("domain");
        group.Spec.KmsKeyArn = call.Request.String("kmsKeyArn");
        group.Spec.Tags = call.TagMap();
        PersonalizeException.ThrowIfInvalid(DatasetGroupController.Validate(group.Spec));
        var created = await call.CreateAsync(group, call.Request.Required("name"), "name");
        return new JsonObject { ["datasetGroupArn"] = ResourceArns.Of(created) };
    }

    public static JsonObject DescribeDatasetGroup(Call call) =>
        new() { ["datasetGroup"] = DatasetGroupShape(call.Find<DatasetGroup>("datasetGroupArn")) };

    public static JsonObject ListDatasetGroups(Call call) =>
        Paging.Page(call.Request, call.List<DatasetGroup>(), Shapes.CreatedOf, PersonalizeNames.Of, "datasetGroups", g => DatasetGroupShape(g));

    public static Task<JsonObject> DeleteDatasetGroupAsync(Call call) => call.DeleteAsync(call.Find<DatasetGroup>("datasetGroupArn"));

    public static async Task<JsonObject> CreateSchemaAsync(Call call)
    {
        var json = call.Request.Required("schema");
        if (json.Length > 20000)
        {
            throw PersonalizeException.InvalidInput("schema: at most 20000 characters.");
        }

        var schema = new Schema();
        schema.Spec.SchemaJson = json;
        schema.Spec.Domain = call.Request.String("domain");
        PersonalizeException.ThrowIfInvalid(SchemaController.Validate(schema.Spec).Problems);
        var created = await call.CreateAsync(schema, call.Request.Required("name"), "name");
        return new JsonObject { ["schemaArn"] = ResourceArns.Of(created) };
    }

    public static JsonObject DescribeSchema(Call call)
    {
        var schema = call.Find<Schema>("schemaArn");
        return new JsonObject { ["schema"] = SchemaShape(schema).With(("schema", schema.Spec.SchemaJson)) };
    }

    public static JsonObject ListSchemas(Call call) =>
        Paging.Page(call.Request, call.List<Schema>(), Shapes.CreatedOf, PersonalizeNames.Of, "schemas", s => SchemaShape(s));

    public static Task<JsonObject> DeleteSchemaAsync(Call call) => call.DeleteAsync(call.Find<Schema>("schemaArn"));

    public static async Task<JsonObject> CreateDatasetAsync(Call call)
    {
        var requested = call.Request.Required("datasetType");
        var type = DatasetTypes.FirstOrDefault(t => string.Equals(t, requested, StringComparison.OrdinalIgnoreCase))
            ?? throw PersonalizeException.InvalidInput($"datasetType '{requested}' is not supported: Interactions, Items or Users.");
        var group = call.Find<DatasetGroup>("datasetGroupArn");
        var schema = call.Find<Schema>("schemaArn");
        if (call.List<Dataset>().FirstOrDefault(d => d.Spec.DatasetGroupRef.Name == group.Metadata.Name && d.Spec.DatasetType == type) is { } rival)
        {
            throw PersonalizeException.AlreadyExists($"Dataset group {PersonalizeNames.Of(group)} already has a {type} dataset ({ResourceArns.Of(rival)}).");
        }

        var dataset = new Dataset();
        dataset.Spec.DatasetGroupRef.Name = group.Metadata.Name;
        dataset.Spec.SchemaRef.Name = schema.Metadata.Name;
        dataset.Spec.DatasetType = type;
        dataset.Spec.Tags = call.TagMap();
        var created = await call.CreateAsync(dataset, call.Request.Required("name"), "name");
        return new JsonObject { ["datasetArn"] = ResourceArns.Of(created) };
    }

    public static JsonObject DescribeDataset(Call call)
    {
        var dataset = call.Find<Dataset>("datasetArn");
        return new JsonObject
        {
            ["dataset"] = DatasetShape(dataset).With(
                ("datasetGroupArn", call.Arns.For<DatasetGroup>(dataset.Spec.DatasetGroupRef.Name)),
                ("schemaArn", call.Arns.For<Schema>(dataset.Spec.SchemaRef.Name))),
        };
    }

    public static JsonObject ListDatasets(Call call)
    {
        var group = call.FilterName<DatasetGroup>("datasetGroupArn");
        return Paging.Page(call.Request, call.List<Dataset>().Where(d => group is null || d.Spec.DatasetGroupRef.Name == group),
            Shapes.CreatedOf, PersonalizeNames.Of, "datasets", d => DatasetShape(d));
    }

    public static Task<JsonObject> DeleteDatasetAsync(Call call)
    {
        var dataset = call.Find<Dataset>("datasetArn");
        if (call.List<DatasetImportJob>().FirstOrDefault(j => j.Spec.DatasetRef.Name == dataset.Metadata.Name && !Phases.IsTerminal(j.Status.Phase)) is { } running)
        {
            throw PersonalizeException.InUse($"{ResourceArns.Of(dataset)} has an import job in progress ({ResourceArns.Of(running)}).");
        }

        // Finished import jobs are history, not users: Personalize deletes a dataset with past imports.
        return DeleteWithFinishedJobsAsync(call, dataset);
    }

    public static async Task<JsonObject> CreateDatasetImportJobAsync(Call call)
    {
        var dataset = call.Find<Dataset>("datasetArn");
        var source = call.Request.Object("dataSource") ?? throw PersonalizeException.InvalidInput("dataSource is required.");
        var location = source["dataLocation"]?.GetValue<string>() ?? throw PersonalizeException.InvalidInput("dataSource.dataLocation is required.");
        if (!System.Text.RegularExpressions.Regex.IsMatch(location, Validation.S3UriPattern))
        {
            throw PersonalizeException.InvalidInput($"dataSource.dataLocation '{location}' is not an s3://bucket/key location.");
        }

        var mode = call.Request.String("importMode") ?? "FULL";
        if (mode is not ("FULL" or "INCREMENTAL"))
        {
            throw PersonalizeException.InvalidInput($"importMode '{mode}' is not FULL or INCREMENTAL.");
        }

        var job = new DatasetImportJob();
        job.Spec.DatasetRef.Name = dataset.Metadata.Name;
        job.Spec.DataSource.DataLocation = location;
        job.Spec.ImportMode = mode;
        job.Spec.PublishAttributionMetricsToS3 = call.Request.Bool("publishAttributionMetricsToS3");
        job.Spec.Tags = call.TagMap();
        PersonalizeException.ThrowIfInvalid(DatasetImportJobController.Validate(job.Spec));
        var created = await call.CreateAsync(job, call.Request.Required("jobName"), "jobName");
        return new JsonObject { ["datasetImportJobArn"] = ResourceArns.Of(created) };
    }

    public static JsonObject DescribeDatasetImportJob(Call call)
    {
        var job = call.Find<DatasetImportJob>("datasetImportJobArn");
        return new JsonObject
        {
            ["datasetImportJob"] = ImportJobShape(job).With(
                ("datasetArn", call.Arns.For<Dataset>(job.Spec.DatasetRef.Name)),
                ("dataSource", new JsonObject { ["dataLocation"] = job.Spec.DataSource.DataLocation }),
                ("publishAttributionMetricsToS3", job.Spec.PublishAttributionMetricsToS3)),
        };
    }

    public static JsonObject ListDatasetImportJobs(Call call)
    {
        var dataset = call.FilterName<Dataset>("datasetArn");
        return Paging.Page(call.Request, call.List<DatasetImportJob>().Where(j => dataset is null || j.Spec.DatasetRef.Name == dataset),
            Shapes.CreatedOf, PersonalizeNames.Of, "datasetImportJobs", j => ImportJobShape(j));
    }

    private static async Task<JsonObject> DeleteWithFinishedJobsAsync(Call call, Dataset dataset)
    {
        var jobs = call.List<DatasetImportJob>().Where(j => j.Spec.DatasetRef.Name == dataset.Metadata.Name).ToList();
        call.ThrowIfInUse(dataset, jobs);
        foreach (var job in jobs)
        {
            await call.Store.DeleteAsync<DatasetImportJob>(call.Namespace, job.Metadata.Name, call.Cancellation);
        }

        return await call.DeleteAsync(dataset, jobs);
    }

    private static JsonObject DatasetGroupShape(DatasetGroup group) =>
        Shapes.Common(group, "datasetGroupArn").With(("domain", group.Spec.Domain), ("kmsKeyArn", group.Spec.KmsKeyArn));

    private static JsonObject SchemaShape(Schema schema) =>
        Shapes.Common(schema, "schemaArn", withStatus: false).With(("domain", schema.Spec.Domain));

    private static JsonObject DatasetShape(Dataset dataset) =>
        Shapes.Common(dataset, "datasetArn").With(("datasetType", dataset.Spec.DatasetType.ToUpperInvariant()));

    private static JsonObject ImportJobShape(DatasetImportJob job) =>
        Shapes.Common(job, "datasetImportJobArn", nameField: "jobName").With(("importMode", job.Spec.ImportMode ?? "FULL"));
}
