using System.Text.Json;
using Personalize.Api;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// Trains a solution with `personalize-trainer train`: waits for its solution and for at least one successful
/// Interactions import in the group; UPDATE builds on the solution's latest ACTIVE FULL version.
/// </summary>
public sealed class SolutionVersionController(ControllerContext context) : TrainerJobController<SolutionVersion>(context)
{
    /// <summary>Marks versions the solution's schedule created (trainingType AUTOMATIC).</summary>
    public const string TrainingTypeLabel = "personalize.io/training-type";

    protected override string Verb => JobVerbs.Train;

    protected override S3Uri? GroupUriOf(SolutionVersion resource) =>
        Context.Store.Get<Solution>(resource.Metadata.NamespaceProperty, resource.Spec.SolutionRef.Name) is { } solution
            ? Context.GroupUri(resource.Metadata.NamespaceProperty, solution.Spec.DatasetGroupRef.Name)
            : null;

    protected override string MissingParentOf(SolutionVersion resource) => $"Solution {resource.Spec.SolutionRef.Name} (spec.solutionRef)";

    /// <summary>A stop (spec.stop, or one already under way) takes over from the training lifecycle for good.</summary>
    protected override Task<ReconcileResult> ReconcileCoreAsync(SolutionVersion resource, CancellationToken cancellationToken) =>
        IsStopping(resource) ? StopAsync(resource, cancellationToken) : base.ReconcileCoreAsync(resource, cancellationToken);

    private static bool IsStopping(SolutionVersion resource) =>
        resource.Status.Phase is Phases.CreateStopping or Phases.CreateStopped
        || (resource.Spec.Stop == true && resource.Status.Phase is not (Phases.Active or Phases.CreateFailed));

    /// <summary>
    /// Removes the trainer run (its pod gets SIGTERM) and reports CREATE STOPPING until the run is gone, then CREATE
    /// STOPPED. Nothing starts it again, as Personalize never resumes a stopped version.
    /// </summary>
    private async Task<ReconcileResult> StopAsync(SolutionVersion resource, CancellationToken cancellationToken)
    {
        if (resource.Status.Phase == Phases.CreateStopped && resource.Status.ObservedGeneration == resource.Metadata.Generation)
        {
            return ReconcileResult.Done;
        }

        var owner = WorkloadOwner.Of(resource);
        var runName = JobNameOf(resource) ?? RunNameFor(resource);
        await Context.Launcher.DeleteTrainerRunAsync(owner, runName, cancellationToken);
        var stopped = (await Context.Launcher.GetTrainerRunAsync(owner, runName, cancellationToken)).Phase == TrainerRunPhase.Absent;
        var message = stopped ? "training was stopped (spec.stop); a stopped version cannot resume" : $"stopping trainer run {runName}";
        await WriteStatusAsync(resource, r =>
        {
            Accept(r);
            r.Status.Phase = stopped ? Phases.CreateStopped : Phases.CreateStopping;
            r.Status.FailureReason = null;
            SetReady(r, false, stopped ? "Stopped" : "Stopping", message);
            SetSucceeded(r, stopped ? false : null, stopped ? "Stopped" : "Stopping", message);
        }, cancellationToken);
        return stopped ? ReconcileResult.Done : ReconcileResult.After(Context.Settings.PollInterval);
    }

    protected override Task<JobPlan> PlanAsync(SolutionVersion resource, CancellationToken cancellationToken)
    {
        var ns = resource.Metadata.NamespaceProperty;
        var (solution, wait) = Parent<Solution>(resource, resource.Spec.SolutionRef, "spec.solutionRef");
        if (wait is not null || solution is null)
        {
            return Plan(new JobPlan.Wait("WaitingForSolution", wait ?? "spec.solutionRef is not set"));
        }

        var groupName = solution.Spec.DatasetGroupRef.Name;
        var datasets = Context.Store.List<Dataset>(ns).Where(d => d.Spec.DatasetGroupRef.Name == groupName).ToList();
        var interactions = datasets.Where(d => d.Spec.DatasetType == DatasetTypes.Interactions).Select(d => d.Metadata.Name).ToHashSet();
        var imports = Context.Store.List<DatasetImportJob>(ns);
        var imported = imports.Any(i => interactions.Contains(i.Spec.DatasetRef.Name) && i.Status.Phase == Phases.Active);
        if (!imported)
        {
            return Plan(new JobPlan.Wait("WaitingForInteractions", $"waiting for a successful import into the Interactions dataset of dataset group {groupName}"));
        }

        // Train on one consistent snapshot: an import still running into an ACTIVE dataset of the group (items or users
        // metadata, more interactions) would otherwise be half in, half out of this version.
        var active = datasets.Where(d => d.Status.Phase == Phases.Active).Select(d => d.Metadata.Name).ToHashSet();
        var running = imports.Where(i => active.Contains(i.Spec.DatasetRef.Name) && !Phases.IsTerminal(i.Status.Phase)).Select(i => i.Metadata.Name).Order().ToList();
        if (running.Count > 0)
        {
            return Plan(new JobPlan.Wait("WaitingForImports", $"waiting for imports {string.Join(", ", running)} of dataset group {groupName} to finish, so training sees all of their data"));
        }

        var group = Context.GroupUri(ns, groupName);
        var mode = resource.Spec.TrainingMode ?? TrainingModes.Full;
        string? baseModel = null;
        if (mode == TrainingModes.Update)
        {
            var latestFull = Context.Store.List<SolutionVersion>(ns)
                .Where(v => v.Spec.SolutionRef.Name == solution.Metadata.Name && v.Status.Phase == Phases.Active && (v.Spec.TrainingMode ?? TrainingModes.Full) == TrainingModes.Full)
                .OrderByDescending(v => v.Status.LastUpdatedDateTime)
                .FirstOrDefault();
            if (latestFull?.Status.ModelLocation is not { } model)
            {
                return Plan(new JobPlan.Fail("NoFullVersion", $"spec.trainingMode: UPDATE needs an ACTIVE FULL SolutionVersion of solution {solution.Metadata.Name}; train a FULL one first"));
            }

            baseModel = model;
        }

        var config = solution.Spec.SolutionConfig;
        var spec = new JobSpec
        {
            Train = new TrainJobSpec
            {
                DatasetGroupUri = group.ToString(),
                Recipe = solution.Spec.PerformAutoML == true ? null : Recipes.Find(solution.Spec.RecipeArn ?? string.Empty)?.Name,
                PerformAutoML = solution.Spec.PerformAutoML == true,
                PerformHPO = solution.Spec.PerformHPO == true,
                EventType = solution.Spec.EventType,
                EventValueThreshold = config?.EventValueThreshold,
                AlgorithmHyperParameters = config?.AlgorithmHyperParameters ?? [],
                FeatureTransformationParameters = config?.FeatureTransformationParameters ?? [],
                AutoMLMetric = config?.AutoMLConfig?.MetricName,
                AutoMLRecipes = config?.AutoMLConfig?.RecipeList?.Select(r => Recipes.Find(r)?.Name ?? r).ToList() ?? [],
                HpoConfigJson = config?.HpoConfig is { } hpo ? JsonSerializer.Serialize(hpo, JobJson.Options) : null,
                TrainingMode = mode,
                BaseModelUri = baseModel,
                ModelUri = StoreLayout.Model(group, solution.Metadata.Name, resource.Metadata.Name).ToString(),
                CheckpointUri = StoreLayout.Checkpoints(group, solution.Metadata.Name, resource.Metadata.Name).ToString(),
                ReportUri = StoreLayout.Report(group, solution.Metadata.Name, resource.Metadata.Name).ToString(),
                PreviousVersions = PreviousVersions(resource, solution.Metadata.Name),
            },
        };
        return Plan(new JobPlan.Run(group, spec, resource.Spec.Resources));
    }

    /// <summary>The solution's other ACTIVE versions with metrics, oldest first: the report compares against them.</summary>
    private List<TrainedVersion> PreviousVersions(SolutionVersion resource, string solution) =>
        Context.Store.List<SolutionVersion>(resource.Metadata.NamespaceProperty)
            .Where(v => v.Spec.SolutionRef.Name == solution && v.Metadata.Name != resource.Metadata.Name && v.Status.Phase == Phases.Active && v.Status.Metrics is { Count: > 0 })
            .OrderBy(v => v.Metadata.CreationTimestamp).ThenBy(v => v.Metadata.Name, StringComparer.Ordinal)
            .Select(v => new TrainedVersion
            {
                Name = v.Metadata.Name,
                CreatedAt = v.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null,
                Recipe = v.Status.Recipe,
                Metrics = v.Status.Metrics!,
            })
            .ToList();

    protected override string? JobNameOf(SolutionVersion resource) => resource.Status.JobName;

    protected override void SetJobName(SolutionVersion resource, string jobName)
    {
        resource.Status.JobName = jobName;
        resource.Status.TrainingMode = resource.Spec.TrainingMode ?? TrainingModes.Full;
        resource.Status.TrainingType = resource.Metadata.Labels?.TryGetValue(TrainingTypeLabel, out var type) == true ? type : "MANUAL";
        if (Context.Store.Get<Solution>(resource.Metadata.NamespaceProperty, resource.Spec.SolutionRef.Name) is { } solution)
        {
            resource.Status.Recipe ??= solution.Spec.PerformAutoML == true ? null : Recipes.Find(solution.Spec.RecipeArn ?? string.Empty)?.Arn;
        }
    }

    protected override void SetTimes(SolutionVersion resource, DateTimeOffset? start, DateTimeOffset? end)
    {
        if (start is { } s && end is { } e)
        {
            resource.Status.TrainingHours = Math.Round((e - s).TotalHours, 4);
        }
    }

    protected override void ApplyProgress(SolutionVersion resource, JobProgress progress) =>
        resource.Status.Progress = new TrainingProgress
        {
            Epoch = progress.Epoch,
            TotalEpochs = progress.TotalEpochs,
            Loss = progress.Loss,
            EventsPerSecond = progress.EventsPerSecond,
            EtaSeconds = progress.EtaSeconds,
            PercentComplete = progress.PercentComplete,
        };

    protected override void ApplyResult(SolutionVersion resource, JobResult result)
    {
        var train = result.Train ?? new TrainJobResult();
        resource.Status.Recipe = Recipes.Find(train.Recipe)?.Arn ?? train.Recipe;
        resource.Status.Metrics = train.Metrics;
        resource.Status.TunedHPOParams = train.TunedHyperParameters.Count == 0 ? null : train.TunedHyperParameters;
        resource.Status.ModelLocation = train.ModelUri;
        resource.Status.ReportUri = train.ReportUri;
        resource.Status.TrainingHours = Math.Round(train.TrainingSeconds / 3600, 4);
        if (resource.Status.Progress is { } progress)
        {
            progress.PercentComplete = 100;
            progress.EtaSeconds = 0;
        }
    }

    protected override async Task DeleteOwnDataAsync(SolutionVersion resource, S3Uri groupUri, CancellationToken cancellationToken) =>
        await DeleteDataAsync(resource, StoreLayout.SolutionVersion(groupUri, resource.Spec.SolutionRef.Name, resource.Metadata.Name), cancellationToken);

    public override async Task<DeletionResult> FinalizeAsync(SolutionVersion resource, CancellationToken cancellationToken)
    {
        var ns = resource.Metadata.NamespaceProperty;
        var name = resource.Metadata.Name;

        // A runtime may serve a version its campaign's spec no longer names: the one syncWithLatestSolutionVersion
        // chose, or the previous one while a rollout is under way. Any of them still loads this model.
        var users = Context.Store.List<Campaign>(ns)
            .Where(c => c.Spec.SolutionVersionRef.Name == name || c.Status.ServingSolutionVersion == name || c.Status.LatestCampaignUpdate?.SolutionVersion == name)
            .Cast<IPersonalizeResource>()
            .Concat(Context.Store.List<BatchInferenceJob>(ns).Where(b => b.Spec.SolutionVersionRef.Name == name && b.Status.Phase == Phases.CreateInProgress));
        var blocked = BlockedByChildren(resource, users);
        return blocked.Finished ? await base.FinalizeAsync(resource, cancellationToken) : blocked;
    }

    private static Task<JobPlan> Plan(JobPlan plan) => Task.FromResult(plan);
}
