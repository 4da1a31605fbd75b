using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Personalize.Cli;

/// <summary>
/// The Generic Host a verb runs in: configuration from the environment, console logs (<see cref="ConsoleLogs"/>),
/// options validated on start, and the console lifetime, which turns SIGTERM and Ctrl-C into ApplicationStopping.
/// </summary>
public static class CliHost
{
    public static HostApplicationBuilder CreateBuilder(string? logFormat, string defaultLogFormat, bool logsToStandardError = false)
    {
        var configuration = new ConfigurationManager();
        // A command, not a site: no watchers on appsettings files beside the executable.
        configuration.AddInMemoryCollection([new("hostBuilder:reloadConfigOnChange", "false")]);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Configuration = configuration, ContentRootPath = AppContext.BaseDirectory });
        ConsoleLogs.Configure(builder, logFormat, defaultLogFormat, logsToStandardError);
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        return builder;
    }
}
