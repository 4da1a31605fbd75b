using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Personalize.Api;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>What a reconcile logs carries the resource it is about as scope fields (JSON console logs show them as fields).</summary>
[Collection(OperatorCollection.Name)]
public sealed class ReconcileLogScopeTests(OperatorEnvironment env)
{
    [Fact]
    public async Task LogsWrittenDuringAReconcile_CarryTheResourcesKindNamespaceAndName_AsScopeFields_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "scope");
        var ns = cluster.Namespace;
        var captured = new ScopeCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(captured).SetMinimumLevel(LogLevel.Information));
        await using (var op = await RunningOperator.StartAsync(env, ns, loggers: loggers))
        {
            await cluster.TrainedVersionAsync();
            await cluster.CreateAsync(Samples.Campaign(ns, minTps: 1));
            await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.CreateInProgress);
        }

        // The campaign's reconcile wrote its runtime token (the workload launcher logs that, within the reconcile).
        var token = captured.Entries.First(e => e.Message.StartsWith("Wrote a new runtime token", StringComparison.Ordinal));
        Assert.Equal("Campaign", token.Scope["kind"]);
        Assert.Equal(ns, token.Scope["namespace"]);
        Assert.Equal("shop", token.Scope["name"]);

        // Outside any reconcile (start-up), no resource fields.
        Assert.DoesNotContain("kind", captured.Entries.First(e => e.Message.StartsWith("Caches synced", StringComparison.Ordinal)).Scope.Keys);
    }

    private sealed record Entry(string Message, IReadOnlyDictionary<string, object?> Scope);

    /// <summary>A logger provider that keeps each message with the key/value pairs of its scopes.</summary>
    private sealed class ScopeCapture : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ScopeCapture owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var fields = new Dictionary<string, object?>();
                owner._scopes.ForEachScope(
                    (scope, into) =>
                    {
                        if (scope is IEnumerable<KeyValuePair<string, object>> pairs)
                        {
                            foreach (var (key, value) in pairs)
                            {
                                into[key] = value;
                            }
                        }
                    },
                    fields);
                owner.Entries.Enqueue(new Entry(formatter(state, exception), fields));
            }
        }
    }
}
