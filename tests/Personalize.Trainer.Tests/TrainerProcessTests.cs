using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Personalize.Data.Datasets;
using Personalize.Data.Generation;
using Personalize.Data.Import;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Testing;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// The real `personalize-trainer` process on the folder store: the data engineer's generator and import, then
/// `train` and `batch-infer` with job specs, as the operator runs them.
/// </summary>
public sealed class TrainerProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("trainer-process-").FullName;
    private readonly FolderObjectStore _store;
    private readonly S3Uri _group = S3Uri.Parse("s3://personalize/default/shop/");

    public TrainerProcessTests() => _store = new FolderObjectStore(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task TrainThenBatchInfer_WriteTheModelResultAndOutputLines()
    {
        await ImportGeneratedDataAsync();
        var model = StoreLayout.Model(_group, "solution", "v1");
        var train = await RunAsync(new JobSpec
        {
            Verb = JobVerbs.Train,
            JobName = "v1",
            ResultUri = StoreLayout.JobResult(_group, "train", "v1").ToString(),
            ProgressUri = StoreLayout.JobProgress(_group, "train", "v1").ToString(),
            Train = new TrainJobSpec
            {
                DatasetGroupUri = _group.ToString(),
                Recipe = "arn:aws:personalize:::recipe/aws-hrnn-metadata",
                AlgorithmHyperParameters = new() { ["hidden_dimension"] = "32", ["bptt"] = "16" },
                ModelUri = model.ToString(),
                CheckpointUri = StoreLayout.Checkpoints(_group, "solution", "v1").ToString(),
            },
        });

        Assert.True(train.Process.ExitCode == 0, train.Process.StdErr + train.Process.StdOut);
        Assert.Equal(JobResult.Succeeded, train.Result.Status);
        Assert.Equal("aws-hrnn-metadata", train.Result.Train!.Recipe);
        // What the operator copies into status is what the stored model was evaluated on, and it learned something.
        var stored = await ModelArtifact.LoadAsync(_store, model, CancellationToken.None);
        Assert.Equal(stored.Manifest.Metrics, train.Result.Train.Metrics);
        Assert.True(train.Result.Train.Metrics["precision_at_25"] > 0.01, $"precision@25 {train.Result.Train.Metrics["precision_at_25"]}");
        var progress = await ReadAsync(StoreLayout.JobProgress(_group, "train", "v1"));
        Assert.Contains("\"epoch\"", progress, StringComparison.Ordinal);
        // The generated data has item and user metadata: the model says whether it kept them, and why, as the progress did.
        Assert.NotNull(stored.Manifest.MetadataGate);
        Assert.Contains(RecipeTrainer.MetadataGateStage, progress, StringComparison.Ordinal);
        Assert.Contains(stored.Manifest.MetadataGate.Used ? "metadata features kept" : "metadata features dropped", progress, StringComparison.Ordinal);

        var input = S3Uri.Parse("s3://personalize/batch/in/users.jsonl");
        await _store.WriteAsync(input, new MemoryStream(Encoding.UTF8.GetBytes("{\"userId\":\"u1\"}\n{\"userId\":42}\n")), CancellationToken.None);
        var batch = await RunAsync(new JobSpec
        {
            Verb = JobVerbs.BatchInfer,
            JobName = "b1",
            ResultUri = StoreLayout.JobResult(_group, "batch", "b1").ToString(),
            BatchInference = new BatchInferenceJobSpec { ModelUri = model.ToString(), InputPath = input.ToString(), OutputPath = "s3://personalize/batch/out/", NumResults = 7 },
        });

        Assert.True(batch.Process.ExitCode == 0, batch.Process.StdErr + batch.Process.StdOut);
        Assert.Equal(2, batch.Result.BatchInference!.LinesRead);
        Assert.Equal(1, batch.Result.BatchInference.LinesFailed);
        var lines = (await ReadAsync(S3Uri.Parse("s3://personalize/batch/out/users.jsonl.out"))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, JsonNode.Parse(lines[0])!["output"]!["recommendedItems"]!.AsArray().Count);
        Assert.Contains("userId must be a string", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_ReportsTheRecommendationIdsItResolved_AndThoseItCouldNot()
    {
        await ImportGeneratedDataAsync();
        var writer = new RealtimeRecordWriter(_store, _group, "runtime-1");
        await writer.AppendAsync(ServedRecommendations.Log, [ServedRecommendations.Record("RID-served", "u1", ["i1", "i2"], DateTimeOffset.UtcNow)]);
        await writer.AppendAsync(DatasetTypes.Interactions,
        [
            new Dictionary<string, object?> { ["USER_ID"] = "u1", ["ITEM_ID"] = "i2", ["TIMESTAMP"] = 1_800_000_000L, ["EVENT_TYPE"] = "click", ["RECOMMENDATION_ID"] = "RID-served" },
            new Dictionary<string, object?> { ["USER_ID"] = "u2", ["ITEM_ID"] = "i2", ["TIMESTAMP"] = 1_800_000_001L, ["EVENT_TYPE"] = "click", ["RECOMMENDATION_ID"] = "RID-expired" },
        ]);

        var train = await RunAsync(new JobSpec
        {
            Verb = JobVerbs.Train,
            JobName = "v1",
            ResultUri = StoreLayout.JobResult(_group, "train", "v1").ToString(),
            ProgressUri = StoreLayout.JobProgress(_group, "train", "v1").ToString(),
            Train = new TrainJobSpec
            {
                DatasetGroupUri = _group.ToString(),
                Recipe = "aws-popularity-count",
                ModelUri = StoreLayout.Model(_group, "solution", "v1").ToString(),
                ReportUri = StoreLayout.Report(_group, "solution", "v1").ToString(),
            },
        });

        Assert.True(train.Process.ExitCode == 0, train.Process.StdErr + train.Process.StdOut);
        Assert.Equal(1, train.Result.Train!.ImplicitImpressions);
        Assert.Equal(1, train.Result.Train.UnresolvedRecommendationIds);
        Assert.Contains("1 recommendationIds were not found", await ReadAsync(StoreLayout.JobProgress(_group, "train", "v1")), StringComparison.Ordinal);
        Assert.Contains("1 with impressions (1 from recommendationIds), 1 recommendationIds unresolved", await ReadAsync(StoreLayout.Report(_group, "solution", "v1")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_WithAnUnknownRecipe_FailsWithAReasonNamingIt()
    {
        await ImportGeneratedDataAsync();
        var run = await RunAsync(new JobSpec
        {
            Verb = JobVerbs.Train,
            ResultUri = StoreLayout.JobResult(_group, "train", "bad").ToString(),
            Train = new TrainJobSpec { DatasetGroupUri = _group.ToString(), Recipe = "aws-nope", ModelUri = "s3://personalize/m/" },
        });

        Assert.Equal(1, run.Process.ExitCode);
        Assert.Equal(JobResult.Failed, run.Result.Status);
        Assert.Contains("aws-nope", run.Result.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_WritesAReport_ThatRendersInChromium_WithDataInEveryPlot()
    {
        await ImportGeneratedDataAsync();
        var fast = new Dictionary<string, string> { ["hidden_dimension"] = "32", ["bptt"] = "16" };
        var first = await RunAsync(TrainSpec("v1", new TrainJobSpec { Recipe = "aws-hrnn", AlgorithmHyperParameters = fast }));
        Assert.True(first.Process.ExitCode == 0, first.Process.StdErr + first.Process.StdOut);
        var second = await RunAsync(TrainSpec("v2", new TrainJobSpec
        {
            Recipe = "aws-hrnn",
            AlgorithmHyperParameters = fast,
            PerformHPO = true,
            HpoConfigJson = """{"hpoResourceConfig":{"maxNumberOfTrainingJobs":"3"},"algorithmHyperParameterRanges":{"integerHyperParameterRanges":[{"name":"hidden_dimension","minValue":32,"maxValue":64}]}}""",
            PreviousVersions = [new TrainedVersion { Name = "v1", Recipe = first.Result.Train!.Recipe, Metrics = first.Result.Train.Metrics }],
        }));
        Assert.True(second.Process.ExitCode == 0, second.Process.StdErr + second.Process.StdOut);

        var reportUri = StoreLayout.Report(_group, "solution", "v2");
        Assert.Equal(reportUri.ToString(), second.Result.Train!.ReportUri);
        var page = Path.Combine(_root, "report.html");
        await File.WriteAllTextAsync(page, await ReadAsync(reportUri));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var chromium = await HeadlessChromium.StartAsync(timeout.Token);
        await chromium.OpenAsync(new Uri(page).AbsoluteUri, 1100, timeout.Token);
        // Per plot: the marks ScottPlot draws inside its data area (lines, markers, bars), and text that has a width.
        var plots = (await chromium.EvaluateAsync(
            """
            [...document.querySelectorAll('figure.plot')].map(f => ({
              id: f.id,
              marks: [...f.querySelectorAll('svg g[clip-path] path, svg g[clip-path] ellipse, svg g[clip-path] rect')]
                .filter(e => { const b = e.getBBox(); return b.width > 0 || b.height > 0; }).length,
              text: [...f.querySelectorAll('svg text')].filter(t => t.getBBox().width > 0).length,
            }))
            """, timeout.Token))!.AsArray();
        var fetched = (await chromium.EvaluateAsync("performance.getEntriesByType('resource').length", timeout.Token))!.GetValue<int>();
        var screenshot = await chromium.ScreenshotAsync(timeout.Token);
        var saved = Path.Combine(InfraPaths.RepoRoot, "TestResults", "training-report.png");
        Directory.CreateDirectory(Path.GetDirectoryName(saved)!);
        await File.WriteAllBytesAsync(saved, screenshot);

        Assert.Empty(chromium.Problems);
        Assert.Equal(0, fetched);
        Assert.Equal(
            ["plot-loss", "plot-metrics", "plot-candidates", "plot-interactions-over-time", "plot-long-tail", "plot-history-lengths", "plot-coverage"],
            plots.Select(p => p!["id"]!.GetValue<string>()));
        Assert.All(plots, p => Assert.True(p!["marks"]!.GetValue<int>() > 0 && p["text"]!.GetValue<int>() > 3, $"{p} has no data or no text"));
        Assert.True(screenshot.Length > 50_000, $"the screenshot ({saved}) is only {screenshot.Length} bytes");
        var html = await File.ReadAllTextAsync(page);
        Assert.Contains("aws-hrnn#2", html, StringComparison.Ordinal);
        Assert.Contains("v1 (aws-hrnn)", html, StringComparison.Ordinal);
    }

    // A campaign's automatic update (aws-user-personalization): UPDATE from the served model into a revision path.
    [Fact]
    public async Task AutomaticUpdate_WritesNothingWithoutNewData_AndWithANewItemsEvents_ARevisionThatRecommendsIt()
    {
        await ImportGeneratedDataAsync();
        var fast = new Dictionary<string, string> { ["hidden_dimension"] = "32", ["bptt"] = "16" };
        var full = await RunAsync(TrainSpec("v1", new TrainJobSpec { Recipe = "aws-user-personalization", AlgorithmHyperParameters = fast }));
        Assert.True(full.Process.ExitCode == 0, full.Process.StdErr + full.Process.StdOut);
        var baseModel = StoreLayout.Model(_group, "solution", "v1");
        var revision = StoreLayout.ModelRevision(_group, "solution", "v1", 1);
        JobSpec Update(string run) => new()
        {
            Verb = JobVerbs.Train,
            JobName = run,
            ResultUri = StoreLayout.JobResult(_group, "campaign", run).ToString(),
            Train = new TrainJobSpec
            {
                DatasetGroupUri = _group.ToString(),
                Recipe = "aws-user-personalization",
                TrainingMode = "UPDATE",
                BaseModelUri = baseModel.ToString(),
                OnlyWithNewData = true,
                ModelUri = revision.ToString(),
            },
        };

        var nothing = await RunAsync(Update("update-1"));
        Assert.True(nothing.Process.ExitCode == 0, nothing.Process.StdErr + nothing.Process.StdOut);
        Assert.Equal(JobResult.Succeeded, nothing.Result.Status);
        Assert.StartsWith("no new data", nothing.Result.Train!.Skipped, StringComparison.Ordinal);
        Assert.Null(await _store.StatAsync(revision.Append(ModelManifest.FileName), CancellationToken.None));

        // A new item arrives through PutEvents and catches on: every user views it, twice, after their last item.
        var trained = await ModelArtifact.LoadAsync(_store, baseModel, CancellationToken.None);
        Assert.DoesNotContain("brand-new-item", trained.Vocabulary.Items);
        var newest = trained.Manifest.TrainingData.MaxTimestamp!.Value;
        var viewers = trained.Vocabulary.Users;
        await new RealtimeRecordWriter(_store, _group, "runtime-0").AppendInteractionsAsync(
            [.. viewers.SelectMany((user, k) => new[] { 60, 120 }.Select(later => new Interaction(user, "brand-new-item", newest + later + k, "view", null, null, null, Interaction.NoContext)))],
            CancellationToken.None);

        var updated = await RunAsync(Update("update-2"));
        Assert.True(updated.Process.ExitCode == 0, updated.Process.StdErr + updated.Process.StdOut);
        Assert.Null(updated.Result.Train!.Skipped);
        Assert.Equal(revision.ToString(), updated.Result.Train.ModelUri);
        var model = await ModelArtifact.LoadAsync(_store, revision, CancellationToken.None);
        Assert.Equal("aws-user-personalization", model.Manifest.Recipe);
        Assert.Contains("brand-new-item", model.Vocabulary.Items);
        Assert.True(model.Manifest.TrainingData.MaxTimestamp > newest);
        var recommender = Personalize.Models.Recipes.RecommenderFactory.Create(model);
        var served = 0;
        foreach (var user in viewers)
        {
            served += (await recommender.RecommendAsync(new Personalize.Models.Scoring.RecommendationRequest { UserId = user })).Any(r => r.ItemId == "brand-new-item") ? 1 : 0;
        }

        Assert.True(served >= viewers.Count * 9 / 10, $"the new item is in {served} of {viewers.Count} of its viewers' recommendations");
    }

    private JobSpec TrainSpec(string version, TrainJobSpec train)
    {
        train.DatasetGroupUri = _group.ToString();
        train.ModelUri = StoreLayout.Model(_group, "solution", version).ToString();
        train.ReportUri = StoreLayout.Report(_group, "solution", version).ToString();
        return new JobSpec { Verb = JobVerbs.Train, JobName = version, ResultUri = StoreLayout.JobResult(_group, "train", version).ToString(), Train = train };
    }

    [Fact]
    public async Task Import_WhoseProgressCannotBeWritten_StillSucceedsOnceItsDataIsCommitted()
    {
        var csv = S3Uri.Parse("s3://personalize/csv/small.csv");
        await _store.WriteAsync(csv, new MemoryStream("USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1\nu2,i2,2\nu1,i2,3\n"u8.ToArray()), CancellationToken.None);
        // A folder where the progress object goes: every progress write fails, as it would during a store hiccup.
        var progress = StoreLayout.JobProgress(_group, "datasetimportjob", "i1");
        Directory.CreateDirectory(Path.Combine(_root, progress.Bucket, progress.Key, "in-the-way"));

        var run = await RunAsync(new JobSpec
        {
            Verb = JobVerbs.Import,
            JobName = "i1",
            ResultUri = StoreLayout.JobResult(_group, "datasetimportjob", "i1").ToString(),
            ProgressUri = progress.ToString(),
            Import = new ImportJobSpec
            {
                DatasetType = DatasetTypes.Interactions,
                Schema = """{"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"}],"version":"1.0"}""",
                DataLocation = csv.ToString(),
                DatasetGroupUri = _group.ToString(),
            },
        });

        Assert.True(run.Process.ExitCode == 0, run.Process.StdErr + run.Process.StdOut);
        Assert.Equal(JobResult.Succeeded, run.Result.Status);
        Assert.Equal(3, run.Result.Import!.RowsImported);
        Assert.Equal(3, (await BulkManifest.ReadAsync(_store, _group, DatasetTypes.Interactions, CancellationToken.None))!.RowCount);
    }

    [Fact]
    public async Task Train_StoppedBySigterm_WritesNoResult_AndItsRetryResumesAfterTheLastCheckpoint_ThoughEventsArrived()
    {
        await ImportGeneratedDataAsync();
        var spec = new JobSpec
        {
            Verb = JobVerbs.Train,
            JobName = "v1",
            ResultUri = StoreLayout.JobResult(_group, "train", "v1").ToString(),
            ProgressUri = StoreLayout.JobProgress(_group, "train", "v1").ToString(),
            Train = new TrainJobSpec
            {
                DatasetGroupUri = _group.ToString(),
                Recipe = "arn:aws:personalize:::recipe/aws-hrnn",
                // Wide enough that eight epochs outlast the signal.
                AlgorithmHyperParameters = new() { ["hidden_dimension"] = "256", ["bptt"] = "16" },
                ModelUri = StoreLayout.Model(_group, "solution", "v1").ToString(),
                CheckpointUri = StoreLayout.Checkpoints(_group, "solution", "v1").ToString(),
            },
        };
        var specFile = Path.Combine(_root, "train-sigterm.json");
        await File.WriteAllTextAsync(specFile, JobJson.Serialize(spec));

        await using (var first = ChildProcess.Start(TrainerStart(specFile), "trainer"))
        {
            await first.WaitForOutputAsync("\"epoch\":1,", TimeSpan.FromMinutes(3));
            (await ProcessRunner.RunAsync("kill", ["-TERM", first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], CancellationToken.None)).EnsureSuccess("kill -TERM");
            using var exit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await first.WaitForExitAsync(exit.Token);
            Assert.True(first.ExitCode == 143, $"exit code {first.ExitCode}\n{first.OutputTail()}");
        }

        Assert.Null(await _store.StatAsync(S3Uri.Parse(spec.ResultUri), CancellationToken.None));
        // Real-time events arrive before the retry: it still trains on the stopped run's snapshot, so its checkpoints apply.
        await new RealtimeRecordWriter(_store, _group, "runtime-0").AppendInteractionsAsync(
            [new Interaction("new-user", "new-item", 1_900_000_000, "view", null, null, null, Interaction.NoContext)], CancellationToken.None);

        var retry = await RunAsync(spec);
        Assert.True(retry.Process.ExitCode == 0, retry.Process.StdErr + retry.Process.StdOut);
        Assert.Equal(JobResult.Succeeded, retry.Result.Status);
        var epochs = retry.Process.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith('{') && line.EndsWith('}') && line.Contains("\"stage\":\"train\"", StringComparison.Ordinal))
            .Select(line => JsonNode.Parse(line)!["epoch"]?.GetValue<int>())
            .OfType<int>()
            .ToList();
        Assert.NotEmpty(epochs);
        Assert.True(epochs.Min() > 1, $"the retry trained epochs {string.Join(", ", epochs)}: it did not resume");
    }

    private async Task ImportGeneratedDataAsync()
    {
        var generator = new SyntheticDataGenerator(new GeneratorOptions { Users = 300, Items = 150, Interactions = 9000, Seed = 3 });
        var csv = S3Uri.Parse("s3://personalize/csv/");
        await GeneratedFiles.WriteToStoreAsync(generator, _store, csv, CancellationToken.None);
        var importer = new DatasetImporter(_store);
        foreach (var (type, schema, file) in new[]
                 {
                     (DatasetTypes.Interactions, SyntheticDataGenerator.InteractionsSchema, GeneratedFiles.InteractionsCsv),
                     (DatasetTypes.Users, SyntheticDataGenerator.UsersSchema, GeneratedFiles.UsersCsv),
                     (DatasetTypes.Items, SyntheticDataGenerator.ItemsSchema, GeneratedFiles.ItemsCsv),
                 })
        {
            await importer.ImportAsync(new DatasetImportRequest($"import-{type}", schema, csv.Append(file), _group), null, CancellationToken.None);
        }
    }

    private async Task<(ProcessResult Process, JobResult Result)> RunAsync(JobSpec spec)
    {
        var specFile = Path.Combine(_root, $"{spec.Verb}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(specFile, JobJson.Serialize(spec));
        var start = TrainerStart(specFile);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var process = await ProcessRunner.RunAsync(start, null, timeout.Token);
        var result = JobJson.Deserialize<JobResult>(await ReadAsync(S3Uri.Parse(spec.ResultUri)));
        return (process, result);
    }

    private ProcessStartInfo TrainerStart(string specFile)
    {
        var spec = JobJson.Deserialize<JobSpec>(File.ReadAllText(specFile));
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { BuiltExecutable.Trainer, spec.Verb, "--spec", specFile } };
        start.Environment["PERSONALIZE_STORE_ROOT"] = _root;
        TorchCompat.ApplyTo(start);
        return start;
    }

    private async Task<string> ReadAsync(S3Uri uri)
    {
        await using var stream = await _store.OpenReadAsync(uri, CancellationToken.None);
        return await new StreamReader(stream).ReadToEndAsync();
    }
}
