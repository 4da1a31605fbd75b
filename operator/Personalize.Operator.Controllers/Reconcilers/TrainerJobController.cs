using System.Security.Cryptography;
using System.Text;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>What a job kind needs before its trainer run can start: wait, fail, or the run's inputs.</summary>
public abstract record JobPlan
{
    public sealed record Wait(string Reason, string Message) : JobPlan;

    public sealed record Fail(string Reason, string Message) : JobPlan;

    public sealed record Run(S3Uri GroupUri, JobSpec Spec, JobResources? Resources) : JobPlan;
}

/// <summary>
/// The lifecycle shared by DatasetImportJob, SolutionVersion and BatchInferenceJob: wait for parents, start one
/// trainer run (named from the resource, so a restarted operator finds it and never starts a second), follow its
/// progress file, and on its end copy the trainer's JobResult from the object store into status (ACTIVE) or the
/// failure reason (CREATE FAILED). A run that vanished mid-way (operator or node restart, local mode rerun) is
/// adopted from its result if it finished, else started again (the trainer resumes from its checkpoints).
/// </summary>
public abstract class TrainerJobController<T>(ControllerContext context) : ResourceController<T>(context)
    where T : class, IPersonalizeResource
{
    /// <summary>How long a finished run may lack its result file before the resource fails.</summary>
    private static readonly TimeSpan ResultGrace = TimeSpan.FromSeconds(30);

    /// <summary>The trainer verb (import, train, batch-infer).</summary>
    protected abstract string Verb { get; }

    /// <summary>The dataset group's prefix, or null while a parent is missing.</summary>
    protected abstract S3Uri? GroupUriOf(T resource);

    /// <summary>The parent whose absence leaves <see cref="GroupUriOf"/> null: its kind, its name and the field that names it.</summary>
    protected abstract string MissingParentOf(T resource);

    protected abstract Task<JobPlan> PlanAsync(T resource, CancellationToken cancellationToken);

    protected abstract string? JobNameOf(T resource);

    protected abstract void SetJobName(T resource, string jobName);

    protected abstract void SetTimes(T resource, DateTimeOffset? start, DateTimeOffset? end);

    /// <summary>Copies a successful result's outputs into status.</summary>
    protected abstract void ApplyResult(T resource, JobResult result);

    /// <summary>Copies the latest progress line into status (where the kind has a place for it).</summary>
    protected virtual void ApplyProgress(T resource, JobProgress progress)
    {
    }

    /// <summary>Runs after success is read and before it is written (e.g. the import updates its dataset).</summary>
    protected virtual Task OnSucceededAsync(T resource, JobResult result, CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task<ReconcileResult> ReconcileCoreAsync(T resource, CancellationToken cancellationToken)
    {
        var status = resource.CommonStatus;
        if (status.Phase is Phases.Active or Phases.CreateFailed && status.ObservedGeneration == resource.Metadata.Generation
            && Conditions.Find(status, ConditionTypes.Succeeded)?.Status is ConditionStatus.True or ConditionStatus.False)
        {
            return ReconcileResult.Done;
        }

        var owner = WorkloadOwner.Of(resource);
        var runName = JobNameOf(resource) ?? RunNameFor(resource);
        var run = await Context.Launcher.GetTrainerRunAsync(owner, runName, cancellationToken);
        var groupUri = GroupUriOf(resource);
        if (run.Phase == TrainerRunPhase.Absent)
        {
            if (groupUri is { } known && await ReadResultAsync(resource, known, cancellationToken) is { } finished)
            {
                return await FinishAsync(resource, finished, null, cancellationToken);
            }

            var plan = await PlanAsync(resource, cancellationToken);
            switch (plan)
            {
                case JobPlan.Wait wait:
                    return await WaitAsync(resource, wait.Reason, wait.Message, cancellationToken);
                case JobPlan.Fail fail:
                    return await FailAsync(resource, fail.Reason, fail.Message, cancellationToken, r => SetSucceeded(r, false, fail.Reason, fail.Message));
                case JobPlan.Run start:
                    start.Spec.Verb = Verb;
                    start.Spec.JobName = runName;
                    start.Spec.ResultUri = ResultUri(resource, start.GroupUri).ToString();
                    start.Spec.ProgressUri = ProgressUri(resource, start.GroupUri).ToString();
                    var restarted = JobNameOf(resource) is not null;
                    await Context.Launcher.StartTrainerRunAsync(new TrainerRun(owner, runName, start.Spec, start.Resources), cancellationToken);
                    await Context.Events.RecordAsync(resource, restarted ? "JobRestarted" : "JobCreated",
                        $"trainer run {runName} ({Verb}) {(restarted ? "started again; it resumes from its checkpoints" : "started")}", warning: false, cancellationToken);
                    await WriteStatusAsync(resource, r =>
                    {
                        Accept(r);
                        SetJobName(r, runName);
                        SetTimes(r, Context.Time.GetUtcNow(), null);
                        r.CommonStatus.Phase = Phases.CreateInProgress;
                        r.CommonStatus.FailureReason = null;
                        SetReady(r, false, "JobRunning", $"trainer run {runName} ({Verb}) started");
                        SetSucceeded(r, null, "JobRunning", $"trainer run {runName} is running");
                    }, cancellationToken);
                    return ReconcileResult.After(Context.Settings.PollInterval);
            }
        }

        if (groupUri is not { } group)
        {
            // Deleting a running job's parent is refused, so only a finalizer removed by hand gets here.
            return await WaitAsync(resource, "ParentMissing", $"{MissingParentOf(resource)} was deleted while this job ran, so its result cannot be located; recreate it under the same name, or delete this job", cancellationToken);
        }

        if (!run.IsFinished)
        {
            var progress = await ReadProgressAsync(resource, group, cancellationToken);
            await WriteStatusAsync(resource, r =>
            {
                Accept(r);
                SetJobName(r, runName);
                r.CommonStatus.Phase = Phases.CreateInProgress;
                var message = run.Message ?? progress?.Message ?? (run.Phase == TrainerRunPhase.Pending ? $"trainer run {runName} is waiting to be scheduled" : $"trainer run {runName} is running");
                var reason = run.Phase switch { TrainerRunPhase.Pending => "JobPending", TrainerRunPhase.Refused => "FailedCreate", _ => "JobRunning" };
                SetReady(r, false, reason, message);
                SetSucceeded(r, null, reason, message);
                if (progress is not null)
                {
                    ApplyProgress(r, progress);
                }
            }, cancellationToken);
            return ReconcileResult.After(Context.Settings.PollInterval);
        }

        var result = await ReadResultAsync(resource, group, cancellationToken);
        if (result is null && run.Phase == TrainerRunPhase.Succeeded && run.CompletionTime is { } done && Context.Time.GetUtcNow() - done < ResultGrace)
        {
            // The object store may lag the pod's exit by a moment.
            return ReconcileResult.After(TimeSpan.FromSeconds(2));
        }

        return await FinishAsync(resource, result, run, cancellationToken);
    }

    public override async Task<DeletionResult> FinalizeAsync(T resource, CancellationToken cancellationToken)
    {
        var runName = JobNameOf(resource) ?? RunNameFor(resource);
        await Context.Launcher.DeleteTrainerRunAsync(WorkloadOwner.Of(resource), runName, cancellationToken);
        if (GroupUriOf(resource) is { } group)
        {
            await DeleteDataAsync(resource, JobFolder(resource, group), cancellationToken);
            await DeleteOwnDataAsync(resource, group, cancellationToken);
        }

        return DeletionResult.Complete;
    }

    /// <summary>Data the kind made besides the job folder (a model, checkpoints).</summary>
    protected virtual Task DeleteOwnDataAsync(T resource, S3Uri groupUri, CancellationToken cancellationToken) => Task.CompletedTask;

    protected void SetSucceeded(T resource, bool? succeeded, string reason, string message) =>
        Conditions.Set(resource.CommonStatus, ConditionTypes.Succeeded, succeeded, reason, message, resource.Metadata.Generation, Context.Time);

    /// <summary>The run's name: kind prefix, resource name, and a uid fragment so a recreated resource gets a new run.</summary>
    protected string RunNameFor(T resource)
    {
        var uid = resource.Metadata.Uid ?? resource.Metadata.Name;
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(uid)))[..8].ToLowerInvariant();
        var name = resource.Metadata.Name;
        var prefix = Verb switch { JobVerbs.Import => "import", JobVerbs.Train => "train", _ => "batch" };
        var budget = 63 - prefix.Length - hash.Length - 2;
        return $"{prefix}-{(name.Length > budget ? name[..budget].TrimEnd('-') : name)}-{hash}";
    }

    private string KindFolder => Kind.ToLowerInvariant();

    private S3Uri JobFolder(T resource, S3Uri group) => group.Append($"jobs/{KindFolder}/{resource.Metadata.Name}/");

    private S3Uri ResultUri(T resource, S3Uri group) => StoreLayout.JobResult(group, KindFolder, resource.Metadata.Name);

    private S3Uri ProgressUri(T resource, S3Uri group) => StoreLayout.JobProgress(group, KindFolder, resource.Metadata.Name);

    private async Task<ReconcileResult> FinishAsync(T resource, JobResult? result, TrainerRunState? run, CancellationToken cancellationToken)
    {
        if (result is { Status: JobResult.Succeeded } && run?.Phase != TrainerRunPhase.Failed)
        {
            await OnSucceededAsync(resource, result, cancellationToken);
            await WriteStatusAsync(resource, r =>
            {
                Accept(r);
                ApplyResult(r, result);
                SetTimes(r, result.StartedAt, result.FinishedAt);
                r.CommonStatus.Phase = Phases.Active;
                r.CommonStatus.FailureReason = null;
                SetReady(r, true, "Succeeded", $"trainer run finished in {(result.FinishedAt - result.StartedAt).TotalSeconds:0.#}s");
                SetSucceeded(r, true, "Succeeded", "the trainer reported SUCCEEDED");
            }, cancellationToken);
            return ReconcileResult.Done;
        }

        var reason = result?.FailureReason
            ?? run?.Message
            ?? "the trainer run ended without writing its result";
        await WriteStatusAsync(resource, r =>
        {
            Accept(r);
            SetTimes(r, result?.StartedAt ?? run?.StartTime, result?.FinishedAt ?? run?.CompletionTime);
            r.CommonStatus.Phase = Phases.CreateFailed;
            r.CommonStatus.FailureReason = reason;
            SetReady(r, false, "JobFailed", reason);
            SetSucceeded(r, false, "JobFailed", reason);
        }, cancellationToken);
        return ReconcileResult.Done;
    }

    private async Task<JobResult?> ReadResultAsync(T resource, S3Uri group, CancellationToken cancellationToken)
    {
        var text = await ReadTextAsync(ResultUri(resource, group), cancellationToken);
        if (text is null)
        {
            return null;
        }

        var result = JobJson.Deserialize<JobResult>(text);

        // A result older than the resource belongs to a deleted namesake whose data was retained.
        var created = resource.Metadata.CreationTimestamp is { } c ? new DateTimeOffset(DateTime.SpecifyKind(c, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
        return result.FinishedAt != default && result.FinishedAt < created.AddSeconds(-1) ? null : result;
    }

    private async Task<JobProgress?> ReadProgressAsync(T resource, S3Uri group, CancellationToken cancellationToken)
    {
        var text = await ReadTextAsync(ProgressUri(resource, group), cancellationToken);
        var last = text?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (last is null)
        {
            return null;
        }

        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<JobProgress>(last, JobJson.Options);
        }
        catch (System.Text.Json.JsonException)
        {
            // A line being written; the next poll reads it whole.
            return null;
        }
    }

    private async Task<string?> ReadTextAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await Context.Objects.OpenReadAsync(uri, cancellationToken);
            using var reader = new StreamReader(stream);
            return await reader.ReadToEndAsync(cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }
}
