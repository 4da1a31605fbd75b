using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>Scores JSON lines with `personalize-trainer batch-infer` once its solution version (and filter) are ACTIVE.</summary>
public sealed class BatchInferenceJobController(ControllerContext context) : TrainerJobController<BatchInferenceJob>(context)
{
    protected override string Verb => JobVerbs.BatchInfer;

    protected override S3Uri? GroupUriOf(BatchInferenceJob resource)
    {
        var ns = resource.Metadata.NamespaceProperty;
        return Context.Store.Get<SolutionVersion>(ns, resource.Spec.SolutionVersionRef.Name) is { } version
            && Context.Store.Get<Solution>(ns, version.Spec.SolutionRef.Name) is { } solution
                ? Context.GroupUri(ns, solution.Spec.DatasetGroupRef.Name)
                : null;
    }

    protected override string MissingParentOf(BatchInferenceJob resource)
    {
        var name = resource.Spec.SolutionVersionRef.Name;
        return Context.Store.Get<SolutionVersion>(resource.Metadata.NamespaceProperty, name) is { } version
            ? $"Solution {version.Spec.SolutionRef.Name} (spec.solutionRef of SolutionVersion {name})"
            : $"SolutionVersion {name} (spec.solutionVersionRef)";
    }

    protected override Task<JobPlan> PlanAsync(BatchInferenceJob resource, CancellationToken cancellationToken)
    {
        var (version, wait) = Parent<SolutionVersion>(resource, resource.Spec.SolutionVersionRef, "spec.solutionVersionRef");
        if (wait is not null || version is null)
        {
            return Plan(new JobPlan.Wait("WaitingForSolutionVersion", wait ?? "spec.solutionVersionRef is not set"));
        }

        string? expression = null;
        if (resource.Spec.FilterRef is { } filterRef)
        {
            var (filter, filterWait) = Parent<Filter>(resource, filterRef, "spec.filterRef");
            if (filterWait is not null || filter is null)
            {
                return Plan(new JobPlan.Wait("WaitingForFilter", filterWait ?? "spec.filterRef is not set"));
            }

            expression = filter.Spec.FilterExpression;
        }

        if (GroupUriOf(resource) is not { } group || version.Status.ModelLocation is not { } model)
        {
            return Plan(new JobPlan.Wait("WaitingForSolutionVersion", $"SolutionVersion {version.Metadata.Name} has no model location yet"));
        }

        var ns = resource.Metadata.NamespaceProperty;
        var refusal = Context.LocationRefusal(ns, "spec.jobInput.s3DataSource.path", resource.Spec.JobInput.S3DataSource.Path)
            ?? Context.LocationRefusal(ns, "spec.jobOutput.s3DataDestination.path", resource.Spec.JobOutput.S3DataDestination.Path);
        if (refusal is not null)
        {
            return Plan(new JobPlan.Fail("LocationNotAllowed", refusal));
        }

        var spec = new JobSpec
        {
            BatchInference = new Jobs.BatchInferenceJobSpec
            {
                ModelUri = model,
                InputPath = resource.Spec.JobInput.S3DataSource.Path,
                OutputPath = resource.Spec.JobOutput.S3DataDestination.Path,
                NumResults = resource.Spec.NumResults ?? 25,
                FilterExpression = expression,
                DatasetGroupUri = group.ToString(),
                ItemExplorationConfig = resource.Spec.BatchInferenceJobConfig?.ItemExplorationConfig ?? [],
            },
        };
        return Plan(new JobPlan.Run(group, spec, resource.Spec.Resources));
    }

    protected override string? JobNameOf(BatchInferenceJob resource) => resource.Status.JobName;

    protected override void SetJobName(BatchInferenceJob resource, string jobName) => resource.Status.JobName = jobName;

    protected override void SetTimes(BatchInferenceJob resource, DateTimeOffset? start, DateTimeOffset? end)
    {
        resource.Status.StartTime = start ?? resource.Status.StartTime;
        resource.Status.CompletionTime = end ?? resource.Status.CompletionTime;
    }

    protected override void ApplyResult(BatchInferenceJob resource, JobResult result)
    {
        var batch = result.BatchInference ?? new BatchInferenceJobResult();
        resource.Status.LinesRead = batch.LinesRead;
        resource.Status.LinesFailed = batch.LinesFailed;
        resource.Status.Outputs = batch.Outputs;
    }

    private static Task<JobPlan> Plan(JobPlan plan) => Task.FromResult(plan);
}
