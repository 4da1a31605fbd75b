using System.CommandLine;
using Microsoft.Extensions.Options;
using Personalize.Operator.Controllers.Hosting;

namespace Personalize.Operator.ClusterMode;

/// <summary>
/// The environment <see cref="OperatorSettings"/> is read from, with `personalize run`'s flags over it: each variable
/// the settings read has a --kebab-case=value flag (--trainer-image is PERSONALIZE_TRAINER_IMAGE, --pod-namespace is
/// POD_NAMESPACE). The variables are found by reading the settings from an empty environment and noting what was
/// asked, so every setting has its flag and any other flag is an error. Bound as options and checked when the host
/// starts: a value that does not parse is named, as flag and variable.
/// </summary>
public sealed class SettingVariables
{
    private const string Prefix = "PERSONALIZE_";

    /// <summary>Every variable OperatorSettings reads, in the order it reads them.</summary>
    public static IReadOnlyList<string> Known { get; } = ReadVariables();

    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public OperatorSettings ToSettings() => OperatorSettings.FromEnvironment(Values);

    /// <summary>The settings, the pods' log format defaulting to the operator's own (docs/contracts.md, contract 8).</summary>
    public OperatorSettings ToSettings(string? ownLogFormat)
    {
        var settings = ToSettings();
        return settings.PodLogFormat is null ? settings with { PodLogFormat = ownLogFormat } : settings;
    }

    /// <summary>The process environment.</summary>
    public static SettingVariables FromEnvironment()
    {
        var variables = new SettingVariables();
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables.Values[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        return variables;
    }

    public static string Flag(string variable) =>
        "--" + (variable.StartsWith(Prefix, StringComparison.Ordinal) ? variable[Prefix.Length..] : variable).Replace('_', '-').ToLowerInvariant();

    /// <summary>One option per variable, for `run`.</summary>
    public static IReadOnlyList<(Option<string> Option, string Variable)> CreateFlags() =>
        [.. Known.Select(variable => (new Option<string>(Flag(variable)) { Description = $"Overrides {variable}.", HelpName = "value" }, variable))];

    private static List<string> ReadVariables()
    {
        var recorder = new ReadRecorder();
        OperatorSettings.FromEnvironment(recorder);
        return recorder.Read;
    }

    /// <summary>An empty environment that notes each variable asked for.</summary>
    private sealed class ReadRecorder : Dictionary<string, string>, IReadOnlyDictionary<string, string>
    {
        public List<string> Read { get; } = [];

        bool IReadOnlyDictionary<string, string>.TryGetValue(string key, out string value)
        {
            if (!Read.Contains(key))
            {
                Read.Add(key);
            }

            value = string.Empty;
            return false;
        }
    }

    /// <summary>Reads each set variable alone, so that a failure names the one that does not parse.</summary>
    public sealed class Validation : IValidateOptions<SettingVariables>
    {
        public ValidateOptionsResult Validate(string? name, SettingVariables options)
        {
            var failures = new List<string>();
            foreach (var variable in Known)
            {
                if (!options.Values.TryGetValue(variable, out var value) || string.IsNullOrWhiteSpace(value))
                {
                    continue;
                }

                try
                {
                    OperatorSettings.FromEnvironment(new Dictionary<string, string> { [variable] = value });
                }
                catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or System.Text.Json.JsonException or InvalidDataException)
                {
                    failures.Add($"{Flag(variable)} ({variable}) \"{value}\": {e.Message}");
                }
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
