using System.Globalization;
using Personalize.Api;

namespace Personalize.Operator.Controllers.ControlLoop;

/// <summary>
/// Keeps every message written to status short. Failure reasons can come from user data (a CSV header of a million
/// columns, a trainer's exception): unbounded, one makes the status object larger than the API server stores, the
/// write fails, and the resource is stuck in its previous phase forever. The start of a message says what failed,
/// so it is kept, with a note of how much was cut.
/// </summary>
public static class StatusMessages
{
    /// <summary>Characters kept of one message; metav1.Condition allows 32768, and a person reads far fewer.</summary>
    public const int MaxLength = 4096;

    public static string? Bound(string? message)
    {
        if (message is null || message.Length <= MaxLength)
        {
            return message;
        }

        var note = string.Create(CultureInfo.InvariantCulture, $"… ({message.Length - MaxLength:N0} more characters not shown)");
        var keep = MaxLength - note.Length;
        if (char.IsHighSurrogate(message[keep - 1]))
        {
            keep--;
        }

        return message[..keep] + note;
    }

    /// <summary>Bounds the failure reasons and condition messages of a status in place.</summary>
    public static void BoundAll(ResourceStatus status)
    {
        status.FailureReason = Bound(status.FailureReason);
        foreach (var condition in status.Conditions)
        {
            condition.Message = Bound(condition.Message) ?? string.Empty;
        }

        switch (status)
        {
            case CampaignStatus { LatestCampaignUpdate: { } update }:
                update.FailureReason = Bound(update.FailureReason);
                break;
            case SolutionStatus { LatestSolutionVersion: { } latest }:
                latest.FailureReason = Bound(latest.FailureReason);
                break;
        }
    }
}
