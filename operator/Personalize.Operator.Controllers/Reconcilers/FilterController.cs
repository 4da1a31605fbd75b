using Personalize.Api;
using Personalize.Models.Filters;
using Personalize.Operator.Controllers.ControlLoop;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// A filter's expression is parsed with the runtime's own filter parser, so what the operator accepts the runtime
/// serves: ACTIVE with its $PARAMETERS, or CREATE FAILED with the position and problem.
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

    public override Task<DeletionResult> FinalizeAsync(Filter resource, CancellationToken cancellationToken) =>
        Task.FromResult(BlockedByChildren(resource, Context.Store.List<BatchInferenceJob>(resource.Metadata.NamespaceProperty)
            .Where(b => b.Spec.FilterRef?.Name == resource.Metadata.Name && b.Status.Phase == Phases.CreateInProgress)));
}
