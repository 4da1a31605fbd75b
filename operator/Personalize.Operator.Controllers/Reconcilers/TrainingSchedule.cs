using System.Globalization;
using System.Text.RegularExpressions;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>solutionConfig.autoTrainingConfig.schedulingExpression: rate(N day|days), N in 1..30; default 7 days.</summary>
public static partial class TrainingSchedule
{
    public static readonly TimeSpan Default = TimeSpan.FromDays(7);

    /// <summary>The interval, or null with the problem when the expression is not rate(N days).</summary>
    public static (TimeSpan? Interval, string? Problem) Parse(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return (Default, null);
        }

        var match = Rate().Match(expression.Trim());
        if (!match.Success)
        {
            return (null, $"solutionConfig.autoTrainingConfig.schedulingExpression: \"{expression}\" is not rate(N days) with N from 1 to 30");
        }

        var days = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return days is < 1 or > 30
            ? (null, $"solutionConfig.autoTrainingConfig.schedulingExpression: {days} days is outside 1-30")
            : (TimeSpan.FromDays(days), null);
    }

    [GeneratedRegex("^rate\\(([0-9]+) days?\\)$")]
    private static partial Regex Rate();
}
