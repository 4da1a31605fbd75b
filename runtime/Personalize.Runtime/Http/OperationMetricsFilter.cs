using System.Diagnostics;
using Personalize.Runtime.Metrics;

namespace Personalize.Runtime.Http;

/// <summary>Counts and times each request under its Personalize operation name, whatever the outcome.</summary>
public sealed class OperationMetricsFilter(RuntimeMetrics metrics, string operation) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            var result = await next(context);
            status = (result is INestedHttpResult nested ? nested.Result : result) switch
            {
                PersonalizeError error => error.StatusCode,
                IStatusCodeHttpResult { StatusCode: { } code } => code,
                _ => StatusCodes.Status200OK,
            };
            return result;
        }
        finally
        {
            metrics.Observe(operation, status, Stopwatch.GetElapsedTime(started));
        }
    }
}
