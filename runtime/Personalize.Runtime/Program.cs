using System.CommandLine;
using Personalize.Cli;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Runtime;

// personalize-runtime --config runtime.json [--urls http://0.0.0.0:8080]: serves one campaign until SIGTERM (or
// Ctrl-C), which the host turns into a drain and a graceful stop.
var configOption = new Option<string>("--config")
{
    Description = "The campaign's runtime config (docs/runtime.md): model, dataset group, filters, limits, auth.",
    HelpName = "runtime.json",
    Required = true,
};
var urlsOption = new Option<string?>("--urls")
{
    Description = "Where to listen, e.g. http://0.0.0.0:8080 (default: ASPNETCORE_URLS, else http://localhost:5000).",
    HelpName = "url[;url]",
};
var logFormatOption = ConsoleLogs.CreateFormatOption();
var root = new RootCommand("The campaign runtime: Amazon Personalize's recommendation, ranking and event API for one campaign.")
{
    configOption,
    urlsOption,
    logFormatOption,
};
root.SetAction(async (parsed, _) =>
{
    var configPath = parsed.GetRequiredValue(configOption);
    RuntimeConfig config;
    IObjectStore store;
    try
    {
        config = RuntimeArguments.Load(configPath);
        store = ObjectStoreFactory.FromEnvironment();
    }
    catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
    {
        await Console.Error.WriteLineAsync($"personalize-runtime: {e.Message}");
        return CommandLineApp.BadUsage;
    }

    // What the command line says, as the web host's configuration.
    string[] hostArgs =
    [
        .. parsed.GetValue(urlsOption) is { } urls ? ["--urls", urls] : Array.Empty<string>(),
        .. parsed.GetValue(logFormatOption) is { } format ? [$"--{ConsoleLogs.FormatSetting}={format}"] : Array.Empty<string>(),
    ];
    await using var app = RuntimeApp.Create(config, store, hostArgs);
    if (await ValidatedStart.OptionsFailureAsync(app.Services, "personalize-runtime") is { } badOptions)
    {
        return badOptions;
    }

    await app.RunAsync();
    return 0;
});
return await CommandLineApp.InvokeAsync(root, args);
