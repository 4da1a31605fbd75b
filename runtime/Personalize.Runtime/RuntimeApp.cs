using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics;
using Personalize.Cli;
using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Runtime.Endpoints;
using Personalize.Runtime.Http;
using Personalize.Runtime.Metrics;
using Personalize.Runtime.Realtime;
using Personalize.Runtime.Serving;

namespace Personalize.Runtime;

/// <summary>Builds the runtime web application from its config: services, limits, auth and the endpoint table.</summary>
public static class RuntimeApp
{
    /// <param name="args">ASP.NET Core configuration as command-line pairs (--urls, --Logging:Console:FormatterName=json, ...).</param>
    public static WebApplication Create(RuntimeConfig config, IObjectStore store, string[] args)
    {
        // A burst of requests gets its threads at once instead of queueing while the pool grows. No request parks a
        // thread any more, yet measured on two cores shared with a load generator, the pool at its own size (2) put the
        // p99 at 80% of capacity at 103-860 ms against 25-47 ms with this minimum (docs/benchmarks.md).
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), completionPorts);

        var builder = WebApplication.CreateSlimBuilder(args);
        ConsoleLogs.Configure(builder, format: null, ConsoleLogs.Simple);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = config.Limits.MaxRequestBodyBytes);
        var services = builder.Services;
        // Responses leave out absent members (no "score": null for SIMS), as Personalize does.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.DefaultIgnoreCondition = RuntimeJson.Options.DefaultIgnoreCondition);
        var datasetGroup = S3Uri.Parse(config.DatasetGroupUri);
        // Unique per process even when a pod keeps its name across restarts: a replica skips only its own objects.
        var writerId = Sanitize($"{config.Realtime.WriterId ?? Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}");
        services.AddSingleton(config);
        services.AddSingleton(store);
        services.AddSingleton<CampaignHost>();
        services.AddSingleton<RuntimeMetrics>();
        services.AddSingleton<RealtimeLog>();
        services.AddSingleton(new RealtimeFiles(store, datasetGroup, writerId));
        services.AddSingleton(new RealtimeRecordWriter(store, datasetGroup, writerId));
        services.AddSingleton(new DatasetReader(store, datasetGroup));
        services.AddSingleton<DatasetSchemas>();
        services.AddSingleton<RealtimeTailer>();
        services.AddSingleton(sp => new EventJournal(
            sp.GetRequiredService<RealtimeRecordWriter>(), sp.GetRequiredService<CampaignHost>(), sp.GetRequiredService<RuntimeMetrics>(), TimeSpan.FromMilliseconds(Math.Max(0, config.Realtime.MaxBatchDelayMilliseconds))));
        services.AddHostedService(sp => sp.GetRequiredService<EventJournal>());
        services.AddSingleton(sp => new ServedListRecorder(
            sp.GetRequiredService<RealtimeRecordWriter>(), sp.GetRequiredService<RuntimeMetrics>(), sp.GetRequiredService<ILogger<ServedListRecorder>>(),
            TimeSpan.FromMilliseconds(Math.Max(0, config.Realtime.ServedListFlushMilliseconds))));
        services.AddHostedService(sp => sp.GetRequiredService<ServedListRecorder>());
        services.AddHostedService<CampaignLoader>();
        services.AddSingleton(new RealtimeCompactor(store, datasetGroup, new RealtimeCompactionOptions
        {
            MinObjects = Math.Max(1, config.Realtime.CompactionMinObjects),
            ServedListRetention = TimeSpan.FromDays(Math.Max(1, config.Realtime.ServedListRetentionDays)),
        }));
        services.AddHostedService<RealtimeCompaction>();
        DrainSettings.Register(services);
        services.AddHostedService<ShutdownDrain>();
        services.AddSingleton(new BearerToken(config.Auth));
        services.AddSingleton<BearerTokenFilter>();
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(RuntimeEndpoints.RateLimitPolicy, _ => CampaignLimit(config.Limits));
            options.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.RequestServices.GetRequiredService<RuntimeMetrics>().Shed();
                await PersonalizeError.Throttled(
                        $"The campaign is serving its limit of {config.Limits.MaxRequestsPerSecond} requests per second per replica; retry with backoff.")
                    .ExecuteAsync(context.HttpContext);
            };
        });

        var app = builder.Build();
        app.UseExceptionHandler(errors => errors.Run(async context =>
        {
            var failure = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var error = failure is BadHttpRequestException bad
                ? new PersonalizeError(bad.StatusCode, "InvalidInputException", bad.Message)
                : new PersonalizeError(StatusCodes.Status500InternalServerError, "InternalFailure", "The runtime failed to serve the request.");
            await error.ExecuteAsync(context);
        }));
        // AWS SDKs log and surface x-amzn-RequestId; give every answer one.
        app.Use((context, next) =>
        {
            context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            return next(context);
        });
        app.UseRateLimiter();
        app.MapRuntime();
        return app;
    }

    /// <summary>One token bucket for the campaign on this replica, refilled every 100 ms; no queue, so overload sheds at once.</summary>
    private static RateLimitPartition<string> CampaignLimit(RuntimeLimits limits)
    {
        if (limits.MaxRequestsPerSecond <= 0)
        {
            return RateLimitPartition.GetNoLimiter("campaign");
        }

        var perTick = Math.Max(1, limits.MaxRequestsPerSecond / 10);
        return RateLimitPartition.GetTokenBucketLimiter("campaign", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perTick + Math.Max(0, limits.Burst),
            TokensPerPeriod = perTick,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static string Sanitize(string writerId) =>
        new(writerId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
}
