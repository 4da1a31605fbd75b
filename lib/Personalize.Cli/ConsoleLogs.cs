using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Personalize.Cli;

/// <summary>
/// Console logs through ILogger, as one-line text ("simple") or one JSON object a line ("json") for a cluster's log
/// collector. The format is `--log-format`, else the standard setting Logging:Console:FormatterName (environment
/// Logging__Console__FormatterName), else the executable's default. Scopes are fields (a reconcile's kind, namespace
/// and name), timestamps UTC.
/// </summary>
public static class ConsoleLogs
{
    public const string Simple = ConsoleFormatterNames.Simple;

    public const string Json = ConsoleFormatterNames.Json;

    public const string FormatSetting = "Logging:Console:FormatterName";

    /// <summary>`--log-format simple|json`, accepted by every verb.</summary>
    public static Option<string?> CreateFormatOption() => new Option<string?>("--log-format")
    {
        Description = $"Console log format: {Simple} (one line of text) or {Json} (one object a line, for clusters). Default: the {FormatSetting} setting (environment Logging__Console__FormatterName), else the command's own.",
        Recursive = true,
    }.AcceptOnlyFromAmong(Simple, Json);

    /// <param name="toStandardError">Every level to stderr, for executables whose stdout is a result others read.</param>
    public static void Configure(IHostApplicationBuilder builder, string? format, string defaultFormat, bool toStandardError = false)
    {
        var name = format ?? builder.Configuration[FormatSetting] ?? defaultFormat;
        builder.Logging.AddConsole();
        builder.Services.Configure<ConsoleLoggerOptions>(options =>
        {
            options.FormatterName = name;
            if (toStandardError)
            {
                options.LogToStandardErrorThreshold = LogLevel.Trace;
            }
        });
        builder.Services.Configure<SimpleConsoleFormatterOptions>(options =>
        {
            options.IncludeScopes = true;
            options.SingleLine = true;
        });
        builder.Services.Configure<JsonConsoleFormatterOptions>(options =>
        {
            options.IncludeScopes = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
    }
}
