using System.CommandLine;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
    private readonly Option<string> _spec = new("--spec")
    {
        Description = "The JobSpec the operator wrote: a file path or an s3:// URI.",
        HelpName = "job.json|s3://.../job.json",
        Required = true,
    };

    private Command? _command;

    public abstract string Name { get; }

    /// <summary>What the verb does, for --help.</summary>
    protected abstract string Description { get; }

    public Command Command => _command ??= new Command(Name, Description) { _spec };

    /// <summary>Does the work, filling its section of the result; throws <see cref="JobFailedException"/> for a failure the user can fix.</summary>
    protected abstract Task ExecuteAsync(JobContext context, JobResult result, CancellationToken cancellationToken);

    public async Task<int> RunAsync(ParseResult parsed, IServiceProvider services, CancellationToken cancellationToken)
    {
        var specPath = parsed.GetRequiredValue(_spec);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(GetType());
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
            logger.LogError("personalize-trainer {Verb}: cannot start: {Reason}", Name, e.Message);
            return TrainerCli.Failure;
        }

        if (!S3Uri.TryParse(spec.ResultUri, out var resultUri))
        {
            logger.LogError("personalize-trainer {Verb}: resultUri \"{ResultUri}\" is not an s3:// location.", Name, spec.ResultUri);
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
            logger.LogWarning("personalize-trainer {Verb}: stopped (SIGTERM) before it finished; no result written, a retry resumes from the last checkpoint", Name);
            return TrainerCli.Interrupted;
        }
        catch (Exception e)
        {
            Fail(result, $"Unexpected error: {e.GetType().Name}: {e.Message}");
            logger.LogError(e, "personalize-trainer {Verb} failed", Name);
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
