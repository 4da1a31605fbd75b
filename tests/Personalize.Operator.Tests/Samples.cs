using k8s.Models;
using Personalize.Api;

namespace Personalize.Operator.Tests;

/// <summary>The sample chain (dataset group → campaign) as objects, each named and namespaced for one test.</summary>
public static class Samples
{
    public const string InteractionsSchema = """
        {"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema","fields":[
          {"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},
          {"name":"EVENT_TYPE","type":"string"}],"version":"1.0"}
        """;

    public static V1ObjectMeta Meta(string ns, string name) => new() { Name = name, NamespaceProperty = ns };

    public static DatasetGroup Group(string ns, string name = "retail") => new() { Metadata = Meta(ns, name) };

    public static Schema Schema(string ns, string name = "interactions", string json = InteractionsSchema) =>
        new() { Metadata = Meta(ns, name), Spec = new SchemaSpec { SchemaJson = json } };

    public static Dataset Dataset(string ns, string name = "interactions", string group = "retail", string schema = "interactions") => new()
    {
        Metadata = Meta(ns, name),
        Spec = new DatasetSpec { DatasetGroupRef = new ResourceRef { Name = group }, SchemaRef = new ResourceRef { Name = schema }, DatasetType = "Interactions" },
    };

    public static DatasetImportJob Import(string ns, string name = "import-1", string dataset = "interactions") => new()
    {
        Metadata = Meta(ns, name),
        Spec = new DatasetImportJobSpec { DatasetRef = new ResourceRef { Name = dataset }, DataSource = new DataSource { DataLocation = "s3://input-bucket/interactions.csv" } },
    };

    public static Solution Solution(string ns, string name = "hrnn", string group = "retail") => new()
    {
        Metadata = Meta(ns, name),
        Spec = new SolutionSpec
        {
            DatasetGroupRef = new ResourceRef { Name = group },
            RecipeArn = "arn:aws:personalize:::recipe/aws-hrnn",
            SolutionConfig = new SolutionConfig { AlgorithmHyperParameters = new() { ["hidden_dimension"] = "64" } },
        },
    };

    public static SolutionVersion Version(string ns, string name = "hrnn-v1", string solution = "hrnn", int gpus = 1) => new()
    {
        Metadata = Meta(ns, name),
        Spec = new SolutionVersionSpec
        {
            SolutionRef = new ResourceRef { Name = solution },
            Resources = new JobResources
            {
                Gpus = gpus,
                Cpu = "2",
                Memory = "4Gi",
                NodeSelector = new() { ["pool"] = "gpu" },
                Tolerations = [new Toleration { Key = "nvidia.com/gpu", Operator = "Exists", Effect = "NoSchedule" }],
            },
        },
    };

    public static Campaign Campaign(string ns, string name = "shop", string version = "hrnn-v1", int minTps = 450) => new()
    {
        Metadata = Meta(ns, name),
        Spec = new CampaignSpec { SolutionVersionRef = new ResourceRef { Name = version }, MinProvisionedTPS = minTps },
    };

    public static EventTracker Tracker(string ns, string name = "events", string group = "retail") => new()
    {
        Metadata = Meta(ns, name),
        Spec = new EventTrackerSpec { DatasetGroupRef = new ResourceRef { Name = group } },
    };

    public static Filter Filter(string ns, string name = "no-purchased", string group = "retail", string expression = "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"purchase\")") => new()
    {
        Metadata = Meta(ns, name),
        Spec = new FilterSpec { DatasetGroupRef = new ResourceRef { Name = group }, FilterExpression = expression },
    };
}
