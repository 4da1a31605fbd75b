using Microsoft.Extensions.Logging.Console;

namespace Personalize.Operator.Controllers.Hosting;

/// <summary>
/// The console log format the operator gives the trainers and runtimes it starts: the standard setting
/// Logging:Console:FormatterName as an environment variable, which every executable's console logs read.
/// </summary>
public static class PodLogs
{
    public const string FormatVariable = "Logging__Console__FormatterName";

    /// <summary>The format, checked to be one every executable has.</summary>
    public static string Format(string value) => value is ConsoleFormatterNames.Simple or ConsoleFormatterNames.Json
        ? value
        : throw new ArgumentException($"must be {ConsoleFormatterNames.Simple} or {ConsoleFormatterNames.Json}");

    /// <summary>The variable the pods get, or none when no format is set.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Environment(string? format) =>
        format is null ? [] : [new(FormatVariable, format)];
}
