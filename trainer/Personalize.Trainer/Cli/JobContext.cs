using System.Text;
using Personalize.Data.Storage;
using Personalize.Jobs;

namespace Personalize.Trainer.Cli;

/// <summary>What a job verb works with: its spec, the object store, and the progress log (docs/contracts.md, contracts 3 and 5).</summary>
public sealed class JobContext(JobSpec spec, IObjectStore store)
{
    /// <summary>Progress lines kept in the progress object; S3 cannot append, so the object is rewritten with the latest lines.</summary>
    private const int ProgressLinesKept = 200;

    private static readonly System.Text.Json.JsonSerializerOptions OneLine = new(JobJson.Options) { WriteIndented = false };

    private readonly Queue<string> _progressLines = new();

    public JobSpec Spec { get; } = spec;

    public IObjectStore Store { get; } = store;

    /// <summary>Prints the progress line and rewrites the progress object with it as the last line.</summary>
    public async Task ReportProgressAsync(JobProgress progress, CancellationToken cancellationToken)
    {
        progress.Time = progress.Time == default ? DateTimeOffset.UtcNow : progress.Time;
        var line = System.Text.Json.JsonSerializer.Serialize(progress, OneLine);
        // Stored before printed: whoever a printed line wakes (local mode's launcher) then reads this record.
        if (S3Uri.TryParse(Spec.ProgressUri, out var uri))
        {
            _progressLines.Enqueue(line);
            while (_progressLines.Count > ProgressLinesKept)
            {
                _progressLines.Dequeue();
            }

            var bytes = Encoding.UTF8.GetBytes(string.Join('\n', _progressLines) + "\n");
            await Store.WriteAsync(uri, new MemoryStream(bytes), cancellationToken);
        }

        await Console.Out.WriteLineAsync(line);
    }
}
