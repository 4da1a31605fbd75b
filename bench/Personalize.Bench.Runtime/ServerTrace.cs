using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Personalize.Bench.Runtime;

/// <summary>
/// The server's own time for each traced request: from the moment ASP.NET Core's hosting layer begins it (Kestrel has
/// read its headers and handed it to the application) to the moment it ends (response written), as Stopwatch ticks
/// on the clock the load generator stamps with too. It listens to hosting's BeginRequest / EndRequest diagnostics,
/// so the runtime runs unchanged; requests without the header (warm-up, capacity runs) are not recorded.
/// </summary>
public sealed class ServerTrace : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    public const string RequestHeader = "x-bench-request";
    private const string BeginRequest = "Microsoft.AspNetCore.Hosting.BeginRequest";
    private const string EndRequest = "Microsoft.AspNetCore.Hosting.EndRequest";

    private readonly IDisposable _listeners;
    private readonly List<IDisposable> _subscriptions = [];
    private long[] _begins = [];
    private long[] _ends = [];
    private volatile bool _armed;

    public ServerTrace() => _listeners = DiagnosticListener.AllListeners.Subscribe(this);

    /// <summary>Records requests numbered 0 to count - 1 from now on.</summary>
    public void Arm(int count)
    {
        (_begins, _ends) = (new long[count], new long[count]);
        _armed = true;
    }

    /// <summary>Stops recording; each request's begin and end ticks (0 where it was not seen).</summary>
    public (long[] Begins, long[] Ends) Disarm()
    {
        _armed = false;
        return (_begins, _ends);
    }

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == "Microsoft.AspNetCore")
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(listener.Subscribe(this, (name, _, _) => _armed && name is BeginRequest or EndRequest));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        var now = Stopwatch.GetTimestamp();
        if (value.Value is null || Context(value.Value) is not { } context
            || !int.TryParse(context.Request.Headers[RequestHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id >= _begins.Length)
        {
            return;
        }

        (value.Key == BeginRequest ? _begins : _ends)[id] = now;
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _listeners.Dispose();
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
        }
    }

    // Hosting's payloads are internal types that carry the HttpContext; find the member by its type, once per type.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Func<object, HttpContext?>> Readers = new();

    private static HttpContext? Context(object payload) => Readers.GetOrAdd(payload.GetType(), static type =>
    {
        const BindingFlags Public = BindingFlags.Public | BindingFlags.Instance;
        if (type.GetProperties(Public).FirstOrDefault(p => typeof(HttpContext).IsAssignableFrom(p.PropertyType)) is { } property)
        {
            return payload => property.GetValue(payload) as HttpContext;
        }

        if (type.GetFields(Public).FirstOrDefault(f => typeof(HttpContext).IsAssignableFrom(f.FieldType)) is { } field)
        {
            return payload => field.GetValue(payload) as HttpContext;
        }

        return payload => payload as HttpContext;
    })(payload);
}
