using Personalize.Api;
using Personalize.Data.Schemas;
using Personalize.Models.Filters;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// A filter's expression is parsed with the runtime's own filter parser, so what the operator accepts the runtime
/// serves: ACTIVE with its $PARAMETERS, or CREATE FAILED with the position and problem. Its fields are checked against
/// the schemas of the group's datasets (<see cref="FilterFieldRules"/>), so a field the runtime has no values for is
/// refused rather than silently matching nothing; until the Items or Users dataset the filter reads exists, it waits.
/// </summary>
public sealed class FilterController(ControllerContext context) : ResourceController<Filter>(context)
{
    protected override async Task<ReconcileResult> ReconcileCoreAsync(Filter resource, CancellationToken cancellationToken)
    {
        var (_, wait) = Parent<DatasetGroup>(resource, resource.Spec.DatasetGroupRef, "spec.datasetGroupRef");
        if (wait is not null)
        {
            return await WaitAsync(resource, "WaitingForDatasetGroup", wait, cancellationToken);
        }

        if (!FilterExpression.TryParse(resource.Spec.FilterExpression, out var expression, out var error))
        {
            return await FailAsync(resource, "InvalidFilterExpression", $"spec.{error.Message}", cancellationToken);
        }

        // Fields are checked when the filter is created, as CreateFilter does; an ACTIVE filter stays served.
        if (resource.Status.Phase != Phases.Active)
        {
            var group = resource.Spec.DatasetGroupRef.Name;
            var (problem, missing) = CheckFields(Context.Store, resource.Metadata.NamespaceProperty, group, expression);
            if (problem is not null)
            {
                return await FailAsync(resource, "UnusableFilterField", $"spec.{problem}", cancellationToken);
            }

            if (missing is not null)
            {
                return await WaitAsync(resource, "WaitingForDataset",
                    $"spec.filterExpression reads {missing} fields: waiting for the {missing} dataset of dataset group {group} and its Schema, to check those fields against", cancellationToken);
            }
        }

        await WriteStatusAsync(resource, r =>
        {
            Accept(r);
            r.Status.Phase = Phases.Active;
            r.Status.FailureReason = null;
            r.Status.Parameters = expression.Parameters.Count == 0 ? null : [.. expression.Parameters];
            SetReady(r, true, "Active", expression.Parameters.Count == 0 ? "filter parsed" : $"filter parsed; parameters {string.Join(", ", expression.Parameters)}");
        }, cancellationToken);
        return ReconcileResult.Done;
    }

    /// <summary>
    /// The filter's fields against the group's datasets as the store holds them (the controller and CreateFilter both
    /// ask this): the first unusable field as a message starting "filterExpression", else the first of Items and Users
    /// the filter reads whose schema is not known yet (no Dataset of that type, or its Schema not created), else neither.
    /// </summary>
    public static (string? Problem, string? MissingDatasetType) CheckFields(IResourceStore store, string? @namespace, string group, FilterExpression expression)
    {
        var schemas = DatasetSchemas(store, @namespace, group);
        return FilterFieldRules.Problem(expression, schemas) is { } problem
            ? (problem, null)
            : (null, FilterFieldRules.SchemaDatasetTypesOf(expression).FirstOrDefault(t => !schemas.ContainsKey(t)));
    }

    /// <summary>The schema of each of the group's datasets whose Schema resource exists and fits its type; the oldest
    /// dataset of a type wins, as DatasetController decides.</summary>
    private static Dictionary<string, DatasetSchema> DatasetSchemas(IResourceStore store, string? @namespace, string group)
    {
        var schemas = new Dictionary<string, DatasetSchema>(StringComparer.Ordinal);
        var datasets = store.List<Dataset>(@namespace)
            .Where(d => d.Spec.DatasetGroupRef.Name == group && d.Metadata.DeletionTimestamp is null)
            .OrderBy(d => d.Metadata.CreationTimestamp)
            .ThenBy(d => d.Metadata.Name, StringComparer.Ordinal)
            .GroupBy(d => DatasetTypes.Canonical(d.Spec.DatasetType))
            .Select(g => (Type: g.Key, Dataset: g.First()));
        foreach (var (type, dataset) in datasets)
        {
            if (type is not null
                && store.Get<Schema>(dataset.Metadata.NamespaceProperty ?? string.Empty, dataset.Spec.SchemaRef.Name) is { } schema
                && SchemaParser.Validate(schema.Spec.SchemaJson, type).Schema is { } parsed)
            {
                schemas[type] = parsed;
            }
        }

        return schemas;
    }

    public override Task<DeletionResult> FinalizeAsync(Filter resource, CancellationToken cancellationToken) =>
        Task.FromResult(BlockedByChildren(resource, Context.Store.List<BatchInferenceJob>(resource.Metadata.NamespaceProperty)
            .Where(b => b.Spec.FilterRef?.Name == resource.Metadata.Name && b.Status.Phase == Phases.CreateInProgress)));
}
