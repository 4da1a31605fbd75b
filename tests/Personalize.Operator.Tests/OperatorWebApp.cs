using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Personalize.Operator.Controllers.Hosting;

namespace Personalize.Operator.Tests;

/// <summary>
/// The application `personalize run` makes, as the tests make it: the operator registered in a WebApplication's
/// container and its endpoints served, on a free loopback port, with the test's logs.
/// </summary>
internal static class OperatorWebApp
{
    public static async Task<WebApplication> StartAsync(ILoggerFactory loggers, Action<IServiceCollection> register)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        builder.Services.AddSingleton(loggers);
        register(builder.Services);
        var app = builder.Build();
        app.MapOperatorEndpoints();
        await app.StartAsync();
        return app;
    }

    /// <summary>Where /metrics, /healthz and /readyz are served.</summary>
    public static string Url(this WebApplication app) => app.Urls.First();
}
