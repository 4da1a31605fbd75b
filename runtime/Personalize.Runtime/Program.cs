using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Runtime;

// personalize-runtime --config runtime.json [--urls http://0.0.0.0:8080]: serves one campaign.
var configPath = RuntimeArguments.ConfigPath(args);
if (configPath is null)
{
    Console.Error.WriteLine("usage: personalize-runtime --config <runtime.json> [--urls http://127.0.0.1:8080]");
    return 2;
}

RuntimeConfig config;
IObjectStore store;
try
{
    config = RuntimeArguments.Load(configPath);
    store = ObjectStoreFactory.FromEnvironment();
}
catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"personalize-runtime: {e.Message}");
    return 2;
}

await RuntimeApp.Create(config, store, args).RunAsync();
return 0;
