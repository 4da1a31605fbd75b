using System.Text;
using Personalize.Data.Storage;
using Personalize.Jobs;

namespace Personalize.Trainer.Cli;

/// <summary>
/// A verb run as `&lt;verb&gt; --spec job.json` (docs/contracts.md, contract 3): reads the JobSpec (a file path or an s3:// URI), builds
/// the object store from the environment, runs, and writes a JobResult to spec.ResultUri - SUCCEEDED, or FAILED with
/// the reason - exiting 0 or 1. Stopped by SIGTERM it writes none and exits 143, so that a retry resumes the work.
/// </summary>
public abstract class JobVerb : ITrainerVerb
{
    public abstract string Name { get; }

    public string Usage => $"{Name} --spec <job.json | s3://.../job.json>";

    /// <summary>Does the work, filling its section of the result; throws <see cref="JobFailedException"/> for a failure the user can fix.</summary>
    protected abstract Task ExecuteAsync(JobContext context, JobResult result, CancellationToken cancellationToken);

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var specPath = TrainerCli.Option(args, "--spec");
        if (specPath is null)
        {
            await Console.Error.WriteLineAsync($"usage: personalize-trainer {Usage}");
            return TrainerCli.BadUsage;
        }

        var result = new JobResult { StartedAt = DateTimeOffset.UtcNow };
        IObjectStore store;
        JobSpec spec;
        try
        {
            store = ObjectStoreFactory.FromEnvironment();
            spec = JobJson.Deserialize<JobSpec>(await ReadSpecAsync(store, specPath, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Without a spec there is no ResultUri to report to: stderr and the exit code are all there is.
            await Console.Error.WriteLineAsync($"personalize-trainer {Name}: cannot start: {e.Message}");
            return TrainerCli.Failure;
        }

        if (!S3Uri.TryParse(spec.ResultUri, out var resultUri))
        {
            await Console.Error.WriteLineAsync($"personalize-trainer {Name}: resultUri \"{spec.ResultUri}\" is not an s3:// location.");
            return TrainerCli.Failure;
        }

        try
        {
            await ExecuteAsync(new JobContext(spec, store), result, cancellationToken);
            result.Status = JobResult.Succeeded;
        }
        catch (JobFailedException e)
        {
            Fail(result, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // SIGTERM (Job deleted, node drained) is not the job failing: with no result written, the Job's retry (or the
            // operator's restart of a vanished run) starts again and resumes from the last checkpoint.
            await Console.Error.WriteLineAsync($"personalize-trainer {Name}: stopped (SIGTERM) before it finished; no result written, a retry resumes from the last checkpoint");
            return TrainerCli.Interrupted;
        }
        catch (Exception e)
        {
            Fail(result, $"Unexpected error: {e.GetType().Name}: {e.Message}");
            await Console.Error.WriteLineAsync(e.ToString());
        }

        result.FinishedAt = DateTimeOffset.UtcNow;
        var json = JobJson.Serialize(result);
        await store.WriteAsync(resultUri, new MemoryStream(Encoding.UTF8.GetBytes(json)), CancellationToken.None);
        await Console.Out.WriteLineAsync(json);
        return result.Status == JobResult.Succeeded ? TrainerCli.Success : TrainerCli.Failure;
    }

    private static void Fail(JobResult result, string reason)
    {
        result.Status = JobResult.Failed;
        result.FailureReason = reason;
    }

    private static async Task<string> ReadSpecAsync(IObjectStore store, string path, CancellationToken cancellationToken)
    {
        if (!S3Uri.TryParse(path, out var uri))
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }

        await using var stream = await store.OpenReadAsync(uri, cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken);
    }
}
