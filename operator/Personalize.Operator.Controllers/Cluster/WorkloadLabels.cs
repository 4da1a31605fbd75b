namespace Personalize.Operator.Controllers.Cluster;

/// <summary>Labels on everything the operator creates: how watches find its objects and map them back to their owner.</summary>
public static class WorkloadLabels
{
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "personalize-operator";
    public const string Component = "app.kubernetes.io/component";
    public const string OwnerKind = "personalize.io/owner-kind";
    public const string OwnerName = "personalize.io/owner-name";
    public const string Campaign = "personalize.io/campaign";
    public const string SolutionVersion = "personalize.io/solution-version";
    public const string ConfigHash = "personalize.io/config-hash";
    public const string Selector = ManagedBy + "=" + ManagedByValue;
}
