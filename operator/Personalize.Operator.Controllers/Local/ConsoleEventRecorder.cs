using Microsoft.Extensions.Logging;
using Personalize.Api;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.Local;

/// <summary>Local mode's events: one line per lifecycle step on a writer (the console), and the log.</summary>
public sealed class ConsoleEventRecorder(TextWriter output, ILogger<ConsoleEventRecorder> logger) : IEventRecorder
{
    private readonly Lock _gate = new();

    public Task RecordAsync(IPersonalizeResource resource, string reason, string message, bool warning, CancellationToken cancellationToken)
    {
        var line = $"{DateTime.Now:HH:mm:ss} {(warning ? "!" : " ")} {resource.Kind}/{resource.Metadata.Name}: {reason}: {message}";
        lock (_gate)
        {
            output.WriteLine(line);
        }

        logger.Log(warning ? LogLevel.Warning : LogLevel.Information, "{Kind}/{Name} {Reason}: {Message}", resource.Kind, resource.Metadata.Name, reason, message);
        return Task.CompletedTask;
    }
}
