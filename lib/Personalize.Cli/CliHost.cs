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
    private const string ReloadOnChange = "hostBuilder:reloadConfigOnChange";

    /// <summary>
    /// The host arguments of a builder made elsewhere (a WebApplication's) that, as <see cref="CreateBuilder"/>
    /// does, keep it from watching appsettings files beside the executable: a command, not a site.
    /// </summary>
    public static string[] HostArguments { get; } = [$"--{ReloadOnChange}=false"];

    public static HostApplicationBuilder CreateBuilder(string? logFormat, string defaultLogFormat, bool logsToStandardError = false)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection([new(ReloadOnChange, "false")]);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Configuration = configuration, ContentRootPath = AppContext.BaseDirectory });
        return Configure(builder, logFormat, defaultLogFormat, logsToStandardError);
    }

    /// <summary>The console logs and lifetime of <see cref="CreateBuilder"/>, on a builder made elsewhere.</summary>
    public static TBuilder Configure<TBuilder>(TBuilder builder, string? logFormat, string defaultLogFormat, bool logsToStandardError = false)
        where TBuilder : IHostApplicationBuilder
    {
        ConsoleLogs.Configure(builder, logFormat, defaultLogFormat, logsToStandardError);
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        return builder;
    }
}
