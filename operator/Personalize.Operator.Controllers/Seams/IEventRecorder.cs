using Personalize.Api;

namespace Personalize.Operator.Controllers.Seams;

/// <summary>
/// Where lifecycle steps are reported: Kubernetes Events in cluster mode (`kubectl describe`), the console and a
/// log in local mode (the progress a user watches).
/// </summary>
public interface IEventRecorder
{
    /// <summary>Records one step; <paramref name="reason"/> is a CamelCase word, <paramref name="warning"/> marks a problem.</summary>
    Task RecordAsync(IPersonalizeResource resource, string reason, string message, bool warning, CancellationToken cancellationToken);
}
