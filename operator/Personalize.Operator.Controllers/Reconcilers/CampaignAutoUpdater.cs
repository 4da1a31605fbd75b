using System.Security.Cryptography;
using System.Text;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// What a campaign's automatic update decided this reconcile: its status (null when the campaign's version has no
/// automatic updates), the model the runtimes are to serve, when to look again, and the AutoUpdated condition to set
/// (null leaves it as it is).
/// </summary>
public sealed record AutoUpdateStep(CampaignAutomaticUpdate? State, string ModelUri, TimeSpan? Due, (bool Ok, string Reason, string Message)? Condition);

/// <summary>
/// Personalize's automatic updates of aws-user-personalization (and the legacy aws-hrnn-coldstart): every interval
/// (PERSONALIZE_AUTO_UPDATE_SECONDS, 2 hours) a campaign serving such a FULL version looks for data stored after its
/// model's data was read (bulk imports, the runtimes' journaled events, PutItems/PutUsers). Only then does it run the
/// trainer's UPDATE on the served model, which writes the next revision of the same version's model (no new
/// SolutionVersion, no metrics in any status), and the campaign rolls its runtime onto it as any config change rolls.
/// The trainer checks again and writes nothing when none of that data is newer than the model. A failed update leaves
/// the previous revision serving. An explicit UPDATE SolutionVersion of the solution created after the served version
/// stops the automatic updates, as in Personalize.
/// </summary>
public sealed class CampaignAutoUpdater(ControllerContext context)
{
    /// <summary>How long a finished run may lack its result file before the update counts as failed.</summary>
    private static readonly TimeSpan ResultGrace = TimeSpan.FromSeconds(30);

    /// <summary>The recipes whose FULL versions Personalize updates automatically.</summary>
    public static bool HasAutomaticUpdates(SolutionVersion version) =>
        (version.Spec.TrainingMode ?? TrainingModes.Full) == TrainingModes.Full
        && Recipes.Find(version.Status.Recipe ?? string.Empty)?.Name is Recipes.UserPersonalization or Recipes.HrnnColdstart;

    public async Task<AutoUpdateStep> StepAsync(Campaign campaign, SolutionVersion version, Solution solution, CancellationToken cancellationToken)
    {
        var previous = campaign.Status.AutomaticUpdate;
        var versionName = version.Metadata.Name;
        if (previous?.JobName is { } stale && previous.SolutionVersion != versionName)
        {
            // The campaign moved to another version: that version's update is of no use any more.
            await context.Launcher.DeleteTrainerRunAsync(WorkloadOwner.Of(campaign), stale, cancellationToken);
        }

        if (!HasAutomaticUpdates(version))
        {
            return new AutoUpdateStep(null, version.Status.ModelLocation!, null, null);
        }

        var now = context.Time.GetUtcNow();
        var interval = context.Settings.AutoUpdateInterval;
        var state = previous?.SolutionVersion == versionName ? Copy(previous) : new CampaignAutomaticUpdate
        {
            SolutionVersion = versionName,
            ModelRevision = 0,
            ModelLocation = version.Status.ModelLocation,
            // Training read its data after the version was created; data stored since may be new (the trainer decides).
            DataAsOf = Created(version),
            NextCheckDateTime = now + interval,
            Message = $"looking for new data every {interval}",
        };

        if (ExplicitUpdateOf(version) is { } update)
        {
            await StopRunAsync(campaign, state, cancellationToken);
            state.NextCheckDateTime = null;
            state.Message = $"stopped: SolutionVersion {update} (trainingMode UPDATE) continues {versionName}, which stops its automatic updates; serve a FULL version to have them again";
            return new AutoUpdateStep(state, state.ModelLocation!, null, null);
        }

        var group = context.GroupUri(campaign.Metadata.NamespaceProperty, solution.Spec.DatasetGroupRef.Name);
        if (state.JobName is not null)
        {
            return await FollowRunAsync(campaign, version, solution, group, state, now, cancellationToken);
        }

        if (state.NextCheckDateTime is { } next && next > now)
        {
            return new AutoUpdateStep(state, state.ModelLocation!, next - now, null);
        }

        if (RunningImports(campaign.Metadata.NamespaceProperty, solution.Spec.DatasetGroupRef.Name) is { Count: > 0 } running)
        {
            // One consistent snapshot, as a SolutionVersion waits for them too.
            state.Message = $"waiting for imports {string.Join(", ", running)} to finish before looking for new data";
            return new AutoUpdateStep(state, state.ModelLocation!, context.Settings.PollInterval, null);
        }

        state.NextCheckDateTime = now + interval;
        if (await NewerDataAsync(group, state.DataAsOf ?? DateTimeOffset.MinValue, cancellationToken) is not { } newer)
        {
            state.Message = $"no new data since {state.DataAsOf:u}";
            return new AutoUpdateStep(state, state.ModelLocation!, interval, null);
        }

        state.Attempts++;
        state.JobName = RunName(campaign, state.Attempts);
        await context.Launcher.StartTrainerRunAsync(Run(campaign, version, solution, group, state), cancellationToken);
        state.Message = $"new data since {state.DataAsOf:u} ({newer.Uri}): trainer run {state.JobName} updates revision {state.ModelRevision} to {state.ModelRevision + 1}";
        await context.Events.RecordAsync(campaign, "AutoUpdateStarted", state.Message, warning: false, cancellationToken);
        return new AutoUpdateStep(state, state.ModelLocation!, context.Settings.PollInterval, null);
    }

    /// <summary>Removes the update run under way, if any (the campaign is deleted, or the updates stopped).</summary>
    public async Task StopRunAsync(Campaign campaign, CampaignAutomaticUpdate? state, CancellationToken cancellationToken)
    {
        if (state?.JobName is { } run)
        {
            await context.Launcher.DeleteTrainerRunAsync(WorkloadOwner.Of(campaign), run, cancellationToken);
            state.JobName = null;
        }
    }

    /// <summary>The campaign's update results (one folder per run) in the object store.</summary>
    public S3Uri JobsFolder(Campaign campaign, Solution solution) =>
        context.GroupUri(campaign.Metadata.NamespaceProperty, solution.Spec.DatasetGroupRef.Name).Append($"jobs/campaign/{campaign.Metadata.Name}/");

    private S3Uri RunFolder(Campaign campaign, Solution solution, string runName) => JobsFolder(campaign, solution).Append($"{runName}/");

    private async Task<AutoUpdateStep> FollowRunAsync(
        Campaign campaign, SolutionVersion version, Solution solution, S3Uri group, CampaignAutomaticUpdate state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var owner = WorkloadOwner.Of(campaign);
        var runName = state.JobName!;
        var run = await context.Launcher.GetTrainerRunAsync(owner, runName, cancellationToken);
        var result = await ReadResultAsync(RunFolder(campaign, solution, runName).Append("result.json"), cancellationToken);
        if (run.Phase == TrainerRunPhase.Absent && result is null)
        {
            // Gone without a result (an operator restart in local mode): start it again; the name keeps it single.
            await context.Launcher.StartTrainerRunAsync(Run(campaign, version, solution, group, state), cancellationToken);
            return new AutoUpdateStep(state, state.ModelLocation!, context.Settings.PollInterval, null);
        }

        if (run.Phase != TrainerRunPhase.Absent && !run.IsFinished)
        {
            return new AutoUpdateStep(state, state.ModelLocation!, context.Settings.PollInterval, null);
        }

        if (result is null && run.Phase == TrainerRunPhase.Succeeded && run.CompletionTime is { } done && now - done < ResultGrace)
        {
            return new AutoUpdateStep(state, state.ModelLocation!, TimeSpan.FromSeconds(2), null);
        }

        await context.Launcher.DeleteTrainerRunAsync(owner, runName, cancellationToken);
        state.JobName = null;
        state.NextCheckDateTime = now + context.Settings.AutoUpdateInterval;
        (bool, string, string) condition;
        if (result is { Status: JobResult.Succeeded, Train: { } train } && run.Phase != TrainerRunPhase.Failed)
        {
            state.DataAsOf = result.StartedAt;
            if (train.Skipped is { } skipped)
            {
                state.Message = skipped;
                condition = (true, "NoNewData", skipped);
            }
            else
            {
                state.ModelRevision++;
                state.ModelLocation = train.ModelUri;
                state.LastUpdatedDateTime = now;
                state.Message = $"revision {state.ModelRevision} of SolutionVersion {version.Metadata.Name}'s model, with the data as of {result.StartedAt:u}, is rolling out";
                condition = (true, "Updated", state.Message);
                await context.Events.RecordAsync(campaign, "AutoUpdated", state.Message, warning: false, cancellationToken);
            }
        }
        else
        {
            var reason = result?.FailureReason ?? run.Message ?? "the trainer run ended without writing its result";
            state.Message = $"automatic update {runName} failed: {reason}; revision {state.ModelRevision} keeps serving, and the next update is tried at {state.NextCheckDateTime:u}";
            condition = (false, "AutoUpdateFailed", state.Message);
            await context.Events.RecordAsync(campaign, "AutoUpdateFailed", state.Message, warning: true, cancellationToken);
        }

        return new AutoUpdateStep(state, state.ModelLocation!, context.Settings.AutoUpdateInterval, condition);
    }

    /// <summary>`train` in UPDATE mode from the served revision to the next, writing nothing when nothing is new.</summary>
    private TrainerRun Run(Campaign campaign, SolutionVersion version, Solution solution, S3Uri group, CampaignAutomaticUpdate state)
    {
        var folder = RunFolder(campaign, solution, state.JobName!);
        var spec = new JobSpec
        {
            Verb = JobVerbs.Train,
            JobName = state.JobName!,
            ResultUri = folder.Append("result.json").ToString(),
            ProgressUri = folder.Append("progress.jsonl").ToString(),
            Train = new TrainJobSpec
            {
                DatasetGroupUri = group.ToString(),
                Recipe = Recipes.Find(version.Status.Recipe ?? string.Empty)?.Name,
                EventType = solution.Spec.EventType,
                EventValueThreshold = solution.Spec.SolutionConfig?.EventValueThreshold,
                TrainingMode = TrainingModes.Update,
                BaseModelUri = state.ModelLocation,
                OnlyWithNewData = true,
                ModelUri = StoreLayout.ModelRevision(group, solution.Metadata.Name, version.Metadata.Name, state.ModelRevision + 1).ToString(),
            },
        };
        return new TrainerRun(WorkloadOwner.Of(campaign), state.JobName!, spec, version.Spec.Resources);
    }

    /// <summary>The first object of the group's datasets stored after the time (schemas aside), or null.</summary>
    private async Task<ObjectInfo?> NewerDataAsync(S3Uri group, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await foreach (var item in context.Objects.ListAsync(group.Append("datasets/"), cancellationToken))
        {
            if (item.LastModified > since && !item.Uri.Key.EndsWith("/schema.json", StringComparison.Ordinal))
            {
                return item;
            }
        }

        return null;
    }

    private List<string> RunningImports(string @namespace, string group)
    {
        var datasets = context.Store.List<Dataset>(@namespace).Where(d => d.Spec.DatasetGroupRef.Name == group).Select(d => d.Metadata.Name).ToHashSet();
        return [.. context.Store.List<DatasetImportJob>(@namespace)
            .Where(i => datasets.Contains(i.Spec.DatasetRef.Name) && i.Status.Phase is not null && !Phases.IsTerminal(i.Status.Phase))
            .Select(i => i.Metadata.Name).Order(StringComparer.Ordinal)];
    }

    /// <summary>An UPDATE version of the same solution created after the FULL version: Personalize stops automatic updates then.</summary>
    private string? ExplicitUpdateOf(SolutionVersion version)
    {
        var created = Created(version);
        return context.Store.List<SolutionVersion>(version.Metadata.NamespaceProperty)
            .Where(v => v.Spec.SolutionRef.Name == version.Spec.SolutionRef.Name && v.Spec.TrainingMode == TrainingModes.Update && Created(v) >= created && v.Metadata.Name != version.Metadata.Name)
            .Select(v => v.Metadata.Name)
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private async Task<JobResult?> ReadResultAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await context.Objects.OpenReadAsync(uri, cancellationToken);
            using var reader = new StreamReader(stream);
            return JobJson.Deserialize<JobResult>(await reader.ReadToEndAsync(cancellationToken));
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    /// <summary>update-{campaign}-{uid hash}-{attempt}: a recreated campaign gets new runs, and a repeated reconcile the same one.</summary>
    private static string RunName(Campaign campaign, int attempt)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(campaign.Metadata.Uid ?? campaign.Metadata.Name)))[..8].ToLowerInvariant();
        var suffix = $"-{hash}-{attempt}";
        var name = campaign.Metadata.Name;
        var budget = 63 - "update-".Length - suffix.Length;
        return $"update-{(name.Length > budget ? name[..budget].TrimEnd('-') : name)}{suffix}";
    }

    private static DateTimeOffset Created(IPersonalizeResource resource) =>
        resource.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : DateTimeOffset.MinValue;

    private static CampaignAutomaticUpdate Copy(CampaignAutomaticUpdate s) => new()
    {
        SolutionVersion = s.SolutionVersion,
        ModelRevision = s.ModelRevision,
        ModelLocation = s.ModelLocation,
        ServingModelRevision = s.ServingModelRevision,
        LastUpdatedDateTime = s.LastUpdatedDateTime,
        DataAsOf = s.DataAsOf,
        NextCheckDateTime = s.NextCheckDateTime,
        Attempts = s.Attempts,
        JobName = s.JobName,
        Message = s.Message,
    };
}
