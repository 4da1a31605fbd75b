using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Personalize.Testing;
using Xunit;

namespace Personalize.EndToEnd.Tests;

/// <summary>
/// The README's first command end to end, with everything real: generated data, the trainer's import and TorchSharp
/// training as child processes, the runtime serving over HTTP, the printed curl commands run as printed.
/// </summary>
public sealed class QuickstartTests
{
    private static readonly TimeSpan FirstRunTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan RerunTimeout = TimeSpan.FromMinutes(3);
    private static readonly Regex EpochLine = new(@"SolutionVersion\s+quickstart-hrnn-v1\s+CREATE IN_PROGRESS\s+epoch \d+/\d+\s+loss \d", RegexOptions.Compiled);

    [Fact]
    public async Task Quickstart_ImportsTrainsAndServes_PrintedCurlsWork_CtrlCStops_RerunReusesEverything()
    {
        var state = Directory.CreateTempSubdirectory("personalize-quickstart-");
        try
        {
            IReadOnlyList<int> ports;
            await using (var first = Quickstart.Start(state.FullName))
            {
                await WithOutputOnFailureAsync(first, async () =>
                {
                    await first.WaitUntilServingAsync(FirstRunTimeout);

                    Assert.NotEmpty(first.Lines(new Regex(@"DatasetImportJob\s+quickstart-interactions\s+ACTIVE\s+[\d,]+ rows imported, 0 rejected")));
                    Assert.NotEmpty(first.Lines(EpochLine));
                    Assert.NotEmpty(first.Lines(new Regex(@"SolutionVersion\s+quickstart-hrnn-v1\s+ACTIVE\s+NDCG@10 0\.\d{4}")));
                    Assert.NotEmpty(first.Lines(new Regex(@"Campaign\s+quickstart-for-you\s+ACTIVE\s+http://127\.0\.0\.1:\d+")));
                    await CheckReportAsync(first, state.FullName);
                    await RunPrintedCommandsAsync(first);
                });

                ports = Quickstart.LocalEndpoint().Matches(first.Output).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
                await first.InterruptAsync(TimeSpan.FromSeconds(60));
                Assert.Equal(0, first.ExitCode);
            }

            foreach (var port in ports)
            {
                Assert.False(await AcceptsConnectionsAsync(port), $"port {port} still serves after Ctrl-C: a child process outlived the operator");
            }

            await using var second = Quickstart.Start(state.FullName);
            await second.WaitUntilServingAsync(RerunTimeout);

            Assert.Contains("build is up to date", second.Output, StringComparison.Ordinal);
            Assert.Contains("sample data already in", second.Output, StringComparison.Ordinal);
            Assert.Empty(second.Lines(EpochLine));
            var (_, recommend) = second.PrintedCommands().First(c => c.Comment.StartsWith("recommendations for user", StringComparison.Ordinal));
            Assert.Equal(5, (await CurlJsonAsync(recommend)).RootElement.GetProperty("itemList").GetArrayLength());
            await second.InterruptAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, second.ExitCode);
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    // A failure says what the user would have seen: the quickstart's own output.
    private static async Task WithOutputOnFailureAsync(Quickstart quickstart, Func<Task> check)
    {
        try
        {
            await check();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var tail = string.Join('\n', quickstart.Output.Split('\n').TakeLast(80));
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n--- quickstart output (last 80 lines) ---\n{tail}");
        }
    }

    // Local mode names the training report's file when training ends and in the summary; `personalize report` finds it too.
    private static async Task CheckReportAsync(Quickstart quickstart, string state)
    {
        var named = new Regex(@"SolutionVersion\s+quickstart-hrnn-v1\s+report\s+(\S+\.html)").Match(quickstart.Output);
        Assert.True(named.Success, "no report line for quickstart-hrnn-v1");
        var path = named.Groups[1].Value;
        Assert.Contains($"  quickstart-hrnn-v1: {path}", quickstart.Output, StringComparison.Ordinal);
        Assert.Contains("<svg", await File.ReadAllTextAsync(path), StringComparison.Ordinal);

        var verb = new ProcessStartInfo(Path.Combine(InfraPaths.RepoRoot, ".local", "bin", "Debug", "personalize"))
        {
            ArgumentList = { "report", "quickstart-hrnn-v1", "--state", Path.Combine(state, "state"), "--store", Path.Combine(state, "store") },
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var printed = await ProcessRunner.RunAsync(verb, standardInput: null, timeout.Token);
        Assert.Equal(path, printed.EnsureSuccess("personalize report").StdOut.Trim());
    }

    // Each printed command, run exactly as printed, answers as Personalize would.
    private static async Task RunPrintedCommandsAsync(Quickstart quickstart)
    {
        var commands = quickstart.PrintedCommands();
        Assert.Contains(commands, c => c.Comment.StartsWith("recommendations for user", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Comment.StartsWith("re-rank three items", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Comment.StartsWith("items related to", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Comment.StartsWith("recommendations through the filter", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Comment.StartsWith("record that", StringComparison.Ordinal));

        var (_, recommend) = commands.First(c => c.Comment.StartsWith("recommendations for user", StringComparison.Ordinal));
        using var before = await CurlJsonAsync(recommend);
        foreach (var (comment, command) in commands)
        {
            if (comment.StartsWith("record that", StringComparison.Ordinal))
            {
                var result = await CurlAsync(command);
                Assert.True(result.Succeeded, result.StdErr);
                continue;
            }

            using var json = await CurlJsonAsync(command);
            var list = json.RootElement.TryGetProperty("personalizedRanking", out var ranking) ? ranking : json.RootElement.GetProperty("itemList");
            if (comment.StartsWith("re-rank", StringComparison.Ordinal))
            {
                Assert.Equal(3, list.GetArrayLength());
            }
            else if (!comment.StartsWith("recommendations through the filter", StringComparison.Ordinal))
            {
                Assert.True(list.GetArrayLength() > 0, $"{comment}: empty list from {command}");
            }
        }

        // The event changes the next recommendation at once (the GRU state moves on by the viewed item).
        using var after = await CurlJsonAsync(recommend);
        Assert.NotEqual(before.RootElement.GetProperty("itemList").GetRawText(), after.RootElement.GetProperty("itemList").GetRawText());
    }

    private static async Task<JsonDocument> CurlJsonAsync(string command)
    {
        var result = await CurlAsync(command + " --fail-with-body");
        Assert.True(result.Succeeded, $"{command}\nexit {result.ExitCode}: {result.StdOut}{result.StdErr}");
        return JsonDocument.Parse(result.StdOut);
    }

    private static async Task<ProcessResult> CurlAsync(string command)
    {
        var startInfo = new ProcessStartInfo("bash");
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(command);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await ProcessRunner.RunAsync(startInfo, standardInput: null, timeout.Token);
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
