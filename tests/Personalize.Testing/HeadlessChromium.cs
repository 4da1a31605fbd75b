using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Personalize.Testing;

/// <summary>
/// A real headless Chromium driven over the DevTools protocol: opens a page, collects what would show in its
/// console (uncaught exceptions, console errors and warnings, failed loads), evaluates JavaScript in it and takes a
/// full-page screenshot. The browser and its profile folder go on dispose.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly ChildProcess _process;
    private readonly DirectoryInfo _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> _pending = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _reader;
    private int _nextId;

    private HeadlessChromium(ChildProcess process, DirectoryInfo profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Console errors and warnings, uncaught exceptions and failed requests seen so far, one line each.</summary>
    public IReadOnlyList<string> Problems => [.. _problems];

    public static async Task<HeadlessChromium> StartAsync(CancellationToken cancellationToken)
    {
        var profile = Directory.CreateTempSubdirectory("personalize-chromium-");
        var process = ChildProcess.Start(InfraPaths.Chromium,
        [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--hide-scrollbars", "--remote-debugging-port=0", "--remote-allow-origins=*",
            $"--user-data-dir={profile.FullName}", "about:blank",
        ], "chromium");
        var browser = new HeadlessChromium(process, profile);
        try
        {
            await browser.ConnectAsync(cancellationToken);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Loads the URL (file:// works) at the given viewport width and waits for its load event.</summary>
    public async Task OpenAsync(string url, int width, CancellationToken cancellationToken)
    {
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = 900, ["deviceScaleFactor"] = 1, ["mobile"] = false }, cancellationToken);
        _loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var navigation = await SendAsync("Page.navigate", new JsonObject { ["url"] = url }, cancellationToken);
        if (navigation["errorText"] is { } error)
        {
            throw new InvalidOperationException($"chromium could not open {url}: {error}");
        }

        await _loaded.Task.WaitAsync(StartTimeout, cancellationToken);
    }

    /// <summary>The value of a JavaScript expression in the page (JSON-serialisable results only).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression, CancellationToken cancellationToken)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, cancellationToken);
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"evaluating in chromium failed: {exception.ToJsonString()}");
        }

        return result["result"]?["value"];
    }

    /// <summary>A PNG of the whole page, not just the viewport.</summary>
    public async Task<byte[]> ScreenshotAsync(CancellationToken cancellationToken)
    {
        var metrics = await SendAsync("Page.getLayoutMetrics", new JsonObject(), cancellationToken);
        var size = metrics["cssContentSize"] ?? metrics["contentSize"]!;
        var width = (int)Math.Ceiling(size["width"]!.GetValue<double>());
        var height = (int)Math.Ceiling(size["height"]!.GetValue<double>());
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false }, cancellationToken);
        var shot = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true }, cancellationToken);
        return Convert.FromBase64String(shot["data"]!.GetValue<string>());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        if (_reader is not null)
        {
            await _reader.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _socket.Dispose();
        await _process.DisposeAsync();
        _stop.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Chromium's last writes can race the delete; the temp folder is cleaned by the system anyway.
        }
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForOutputAsync("DevTools listening on", StartTimeout, cancellationToken);
        var port = DevToolsPort().Match(_process.Output).Groups[1].Value;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        string? pageSocket = null;
        await Wait.UntilAsync(
            async ct =>
            {
                var targets = JsonNode.Parse(await http.GetStringAsync(new Uri("/json/list", UriKind.Relative), ct))!.AsArray();
                pageSocket = targets.FirstOrDefault(t => t?["type"]?.GetValue<string>() == "page")?["webSocketDebuggerUrl"]?.GetValue<string>();
                return pageSocket is not null;
            },
            StartTimeout, "chromium's page target", cancellationToken);
        await _socket.ConnectAsync(new Uri(pageSocket!), cancellationToken);
        _reader = Task.Run(() => ReadAsync(_stop.Token), CancellationToken.None);
        foreach (var domain in new[] { "Page", "Runtime", "Log", "Network" })
        {
            await SendAsync($"{domain}.enable", new JsonObject(), cancellationToken);
        }
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        return await reply.Task.WaitAsync(StartTimeout, cancellationToken);
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (!cancellationToken.IsCancellationRequested && _socket.State == WebSocketState.Open)
        {
            var received = await _socket.ReceiveAsync(buffer, cancellationToken);
            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage)
            {
                continue;
            }

            var node = JsonNode.Parse(message.ToArray())!;
            message.SetLength(0);
            if (node["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var reply))
            {
                if (node["error"] is { } error)
                {
                    reply.SetException(new InvalidOperationException($"chromium: {error.ToJsonString()}"));
                }
                else
                {
                    reply.SetResult(node["result"] ?? new JsonObject());
                }

                continue;
            }

            OnEvent(node["method"]?.GetValue<string>(), node["params"]);
        }
    }

    private void OnEvent(string? method, JsonNode? parameters)
    {
        var type = parameters?["type"]?.GetValue<string>();
        var level = parameters?["entry"]?["level"]?.GetValue<string>();
        switch (method)
        {
            case "Page.loadEventFired":
                _loaded.TrySetResult();
                break;
            case "Runtime.exceptionThrown":
                _problems.Enqueue($"uncaught exception: {parameters?["exceptionDetails"]?.ToJsonString()}");
                break;
            case "Runtime.consoleAPICalled" when type is "error" or "warning" or "assert":
                _problems.Enqueue($"console {type}: {parameters?["args"]?.ToJsonString()}");
                break;
            case "Log.entryAdded" when level is "error" or "warning":
                _problems.Enqueue($"log {level}: {parameters?["entry"]?.ToJsonString()}");
                break;
            case "Network.loadingFailed":
                _problems.Enqueue($"request failed: {parameters?.ToJsonString()}");
                break;
        }
    }

    [GeneratedRegex(@"DevTools listening on ws://[^:]+:(\d+)/")]
    private static partial Regex DevToolsPort();
}
