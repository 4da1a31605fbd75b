using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Personalize.Api;
using Personalize.Gateway.Protocol;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Reconcilers;

namespace Personalize.Gateway.ControlPlane;

/// <summary>Solutions, solution versions and their metrics.</summary>
public static class SolutionOperations
{
    /// <summary>Personalize's `{solutionArn}/$LATEST`: the solution's newest version, where a version ARN is expected.</summary>
    public const string Latest = "/$LATEST";

    public static async Task<JsonObject> CreateSolutionAsync(Call call)
    {
        var group = call.Find<DatasetGroup>("datasetGroupArn");
        var solution = new Solution();
        solution.Spec.DatasetGroupRef.Name = group.Metadata.Name;
        solution.Spec.RecipeArn = call.Request.String("recipeArn");
        solution.Spec.PerformAutoML = call.Request.Bool("performAutoML");
        solution.Spec.PerformHPO = call.Request.Bool("performHPO");
        solution.Spec.PerformAutoTraining = call.Request.Bool("performAutoTraining");
        solution.Spec.EventType = call.Request.String("eventType");
        solution.Spec.SolutionConfig = call.Request.As<SolutionConfig>("solutionConfig");
        solution.Spec.Tags = call.TagMap();
        PersonalizeException.ThrowIfInvalid(ProblemsOf(solution.Spec));
        var created = await call.CreateAsync(solution, call.Request.Required("name"), "name");
        return new JsonObject { ["solutionArn"] = ResourceArns.Of(created) };
    }

    public static JsonObject DescribeSolution(Call call)
    {
        var solution = call.Find<Solution>("solutionArn");
        var latest = VersionsOf(call, solution.Metadata.Name).FirstOrDefault();
        return new JsonObject
        {
            ["solution"] = SolutionShape(solution).With(
                ("datasetGroupArn", call.Arns.For<DatasetGroup>(solution.Spec.DatasetGroupRef.Name)),
                ("performAutoML", solution.Spec.PerformAutoML ?? false),
                ("performHPO", solution.Spec.PerformHPO ?? false),
                ("performAutoTraining", solution.Spec.PerformAutoTraining ?? false),
                ("eventType", solution.Spec.EventType),
                ("solutionConfig", Shapes.Node(solution.Spec.SolutionConfig)),
                ("autoMLResult", BestRecipeOf(solution, latest) is { } best ? new JsonObject { ["bestRecipeArn"] = best } : null),
                ("latestSolutionVersion", latest is null ? null : VersionSummary(latest))),
        };
    }

    /// <summary>
    /// The AutoML winner: the recipe of the latest version once it is ACTIVE. The operator copies it into the Solution's
    /// status on its next reconcile; reading it from the version makes describe_solution agree with the
    /// describe_solution_version a client just saw ACTIVE, instead of lagging by a reconcile.
    /// </summary>
    private static string? BestRecipeOf(Solution solution, SolutionVersion? latest) =>
        solution.Spec.PerformAutoML == true && latest?.Status.Phase == Phases.Active && latest.Status.Recipe is { } recipe
            ? recipe
            : solution.Status.AutoMLResult?.BestRecipeArn;

    public static JsonObject ListSolutions(Call call)
    {
        var group = call.FilterName<DatasetGroup>("datasetGroupArn");
        return Paging.Page(call.Request, call.List<Solution>().Where(s => group is null || s.Spec.DatasetGroupRef.Name == group),
            Shapes.CreatedOf, PersonalizeNames.Of, "solutions", s => SolutionShape(s));
    }

    public static async Task<JsonObject> UpdateSolutionAsync(Call call)
    {
        var solution = call.Find<Solution>("solutionArn");
        var autoTraining = call.Request.Bool("performAutoTraining");
        var schedule = call.Request.Object("solutionUpdateConfig")?["autoTrainingConfig"]?["schedulingExpression"]?.GetValue<string>();
        void Change(SolutionSpec spec)
        {
            spec.PerformAutoTraining = autoTraining ?? spec.PerformAutoTraining;
            if (schedule is not null)
            {
                spec.SolutionConfig ??= new SolutionConfig();
                spec.SolutionConfig.AutoTrainingConfig = new AutoTrainingConfig { SchedulingExpression = schedule };
            }
        }

        // The schedule is kept even while automatic training is off, so it is checked now rather than when turned on.
        if (schedule is not null && TrainingSchedule.Parse(schedule).Problem is { } scheduleProblem)
        {
            throw PersonalizeException.InvalidInput(scheduleProblem);
        }

        // Refused only for what this update would break: a problem the stored spec has already is the operator's FAILED status to tell.
        var changed = StatusWriter.Clone(solution.Spec);
        Change(changed);
        PersonalizeException.ThrowIfInvalid(ProblemsOf(changed).Except(ProblemsOf(solution.Spec)));
        var updated = await call.UpdateSpecAsync(solution, s => Change(s.Spec));
        return new JsonObject { ["solutionArn"] = ResourceArns.Of(updated) };
    }

    /// <summary>Deletes the solution and its versions (as Personalize does), unless a campaign uses one or a batch job runs.</summary>
    public static async Task<JsonObject> DeleteSolutionAsync(Call call)
    {
        var solution = call.Find<Solution>("solutionArn");
        var versions = VersionsOf(call, solution.Metadata.Name).ToList();
        if (versions.FirstOrDefault(v => !Phases.IsTerminal(v.Status.Phase)) is { } training)
        {
            throw PersonalizeException.InUse($"{ResourceArns.Of(solution)} has a version in training ({ResourceArns.Of(training)}); stop it or wait.");
        }

        // Finished batch inference jobs are history and go with their version; nothing is deleted unless everything can be.
        var names = versions.Select(v => v.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var jobs = call.List<BatchInferenceJob>().Where(j => names.Contains(j.Spec.SolutionVersionRef.Name)).ToList();
        if (jobs.FirstOrDefault(j => !Phases.IsTerminal(j.Status.Phase)) is { } running)
        {
            throw PersonalizeException.InUse($"{ResourceArns.Of(solution)} has a batch inference job in progress ({ResourceArns.Of(running)}).");
        }

        call.ThrowIfInUse(solution, versions);
        foreach (var version in versions)
        {
            call.ThrowIfInUse(version, jobs);
        }

        foreach (var job in jobs)
        {
            await call.Store.DeleteAsync<BatchInferenceJob>(call.Namespace, job.Metadata.Name, call.Cancellation);
        }

        foreach (var version in versions)
        {
            await call.Store.DeleteAsync<SolutionVersion>(call.Namespace, version.Metadata.Name, call.Cancellation);
        }

        return await call.DeleteAsync(solution, versions);
    }

    public static async Task<JsonObject> CreateSolutionVersionAsync(Call call)
    {
        var solution = call.Find<Solution>("solutionArn");
        var mode = call.Request.String("trainingMode") ?? "FULL";
        if (mode is not ("FULL" or "UPDATE"))
        {
            throw PersonalizeException.InvalidInput($"trainingMode '{mode}' is not supported: FULL or UPDATE.");
        }

        var version = new SolutionVersion();
        version.Spec.SolutionRef.Name = solution.Metadata.Name;
        version.Spec.TrainingMode = mode;
        version.Spec.Tags = call.TagMap();
        // Personalize names versions itself (an 8-hex id under the solution); a name, when given, is used instead.
        var name = call.Request.String("name") ?? $"{solution.Metadata.Name[..Math.Min(54, solution.Metadata.Name.Length)]}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var created = await call.CreateAsync(version, name, "name");
        return new JsonObject { ["solutionVersionArn"] = ResourceArns.Of(created) };
    }

    public static JsonObject DescribeSolutionVersion(Call call)
    {
        var version = call.Find<SolutionVersion>("solutionVersionArn");
        var solution = call.Store.Get<Solution>(call.Namespace, version.Spec.SolutionRef.Name);
        var recipe = version.Status.Recipe ?? solution?.Status.Recipe;
        return new JsonObject
        {
            ["solutionVersion"] = Shapes.Common(version, "solutionVersionArn").With(
                ("solutionArn", call.Arns.For<Solution>(version.Spec.SolutionRef.Name)),
                ("recipeArn", recipe is null ? null : Arn.Recipe(Recipes.Find(recipe)?.Name ?? recipe)),
                ("datasetGroupArn", solution is null ? null : call.Arns.For<DatasetGroup>(solution.Spec.DatasetGroupRef.Name)),
                ("performAutoML", solution?.Spec.PerformAutoML ?? false),
                ("performHPO", solution?.Spec.PerformHPO ?? false),
                ("eventType", solution?.Spec.EventType),
                ("solutionConfig", Shapes.Node(solution?.Spec.SolutionConfig)),
                ("trainingMode", version.Status.TrainingMode ?? version.Spec.TrainingMode ?? "FULL"),
                ("trainingType", version.Status.TrainingType ?? "MANUAL"),
                ("trainingHours", version.Status.TrainingHours),
                ("tunedHPOParams", version.Status.TunedHPOParams is { } tuned ? new JsonObject { ["algorithmHyperParameters"] = Shapes.Node(tuned) } : null)),
        };
    }

    public static JsonObject ListSolutionVersions(Call call)
    {
        var solution = call.FilterName<Solution>("solutionArn");
        return Paging.Page(call.Request, call.List<SolutionVersion>().Where(v => solution is null || v.Spec.SolutionRef.Name == solution),
            Shapes.CreatedOf, PersonalizeNames.Of, "solutionVersions", v => VersionSummary(v));
    }

    public static JsonObject GetSolutionMetrics(Call call)
    {
        var version = call.Find<SolutionVersion>("solutionVersionArn");
        if (version.Status.Phase != Phases.Active)
        {
            throw PersonalizeException.InUse($"{ResourceArns.Of(version)} is {Shapes.StatusOf(version)}; metrics exist once it is ACTIVE.");
        }

        return new JsonObject
        {
            ["solutionVersionArn"] = ResourceArns.Of(version),
            ["metrics"] = Shapes.Node(version.Status.Metrics ?? []),
        };
    }

    /// <summary>
    /// Stops a training that has not finished: sets the version's spec.stop, and the operator takes it through CREATE
    /// STOPPING to CREATE STOPPED, as kubectl users do by setting the same field.
    /// </summary>
    public static async Task<JsonObject> StopSolutionVersionCreationAsync(Call call)
    {
        var version = call.Find<SolutionVersion>("solutionVersionArn");
        if (Phases.IsTerminal(version.Status.Phase))
        {
            throw PersonalizeException.InvalidInput($"{ResourceArns.Of(version)} is {version.Status.Phase}: only a CREATE PENDING or CREATE IN_PROGRESS version can be stopped.");
        }

        await call.UpdateSpecAsync(version, v => v.Spec.Stop = true);
        return [];
    }

    /// <summary>The version an ARN names: a version ARN, or `{solutionArn}/$LATEST` for the solution's newest one.</summary>
    public static SolutionVersion ResolveVersion(Call call, string field)
    {
        var arn = call.Request.Required(field);
        if (!arn.EndsWith(Latest, StringComparison.Ordinal))
        {
            return call.Arns.Find<SolutionVersion>(field, arn);
        }

        var solution = call.Arns.Find<Solution>(field, arn[..^Latest.Length]);
        return VersionsOf(call, solution.Metadata.Name).FirstOrDefault()
            ?? throw PersonalizeException.NotFound($"{field}: solution {PersonalizeNames.Of(solution)} has no version yet.");
    }

    /// <summary>A solution's versions, newest first.</summary>
    public static IEnumerable<SolutionVersion> VersionsOf(Call call, string solution) =>
        call.List<SolutionVersion>().Where(v => v.Spec.SolutionRef.Name == solution && v.Metadata.DeletionTimestamp is null)
            .OrderByDescending(Shapes.CreatedOf).ThenByDescending(v => v.Metadata.Name, StringComparer.Ordinal);

    /// <summary>
    /// The operator's own check of a solution spec (SolutionController.Validate), so every rule it would fail a Solution
    /// for is a synchronous InvalidInputException here.
    /// </summary>
    private static List<string> ProblemsOf(SolutionSpec spec)
    {
        var problems = SolutionController.Validate(spec).Problems;
        // The API server's schema takes a recipe by its full ARN only, where the controller also knows the bare name
        // (and, under AutoML, does not read it): refused here rather than by the API server as an internal failure.
        if (spec.RecipeArn is { } arn && !Regex.IsMatch(arn, Recipes.RecipeArnPattern) && !problems.Any(p => p.StartsWith("spec.recipeArn:", StringComparison.Ordinal)))
        {
            problems.Add($"spec.recipeArn: {arn} is not the ARN of a recipe this product trains ({string.Join(", ", Recipes.All.Select(r => r.Arn))})");
        }

        return problems;
    }

    private static JsonObject SolutionShape(Solution solution) =>
        Shapes.Common(solution, "solutionArn").With(("recipeArn", solution.Spec.RecipeArn ?? solution.Status.AutoMLResult?.BestRecipeArn));

    private static JsonObject VersionSummary(SolutionVersion version) =>
        Shapes.Common(version, "solutionVersionArn").With(
            ("trainingMode", version.Status.TrainingMode ?? version.Spec.TrainingMode ?? "FULL"),
            ("trainingType", version.Status.TrainingType ?? "MANUAL"));
}
