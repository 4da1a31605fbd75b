using System.Diagnostics;
using System.Text.RegularExpressions;
using Personalize.Testing;

namespace Personalize.EndToEnd.Tests;

/// <summary>
/// ./quickstart.sh as a user runs it, on small generated data, in a state folder of its own. It reuses the Debug
/// build tests/run.sh made (PERSONALIZE_QUICKSTART_CONFIGURATION=Debug) so the test does not compile everything again.
/// </summary>
public sealed partial class Quickstart : IAsyncDisposable
{
    public const string ServingBanner = "Campaigns are serving on localhost";

    private readonly ChildProcess _process;

    private Quickstart(ChildProcess process) => _process = process;

    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static Quickstart Start(string stateDirectory)
    {
        // A background job of a non-interactive shell (`bash tests/run.sh &`) starts with SIGINT ignored, and .NET
        // keeps that for its children: restore the default so Ctrl-C reaches the quickstart as it does a user's.
        var startInfo = new ProcessStartInfo("env") { WorkingDirectory = InfraPaths.RepoRoot };
        startInfo.ArgumentList.Add("--default-signal=INT");
        startInfo.ArgumentList.Add("bash");
        startInfo.ArgumentList.Add(Path.Combine(InfraPaths.RepoRoot, "quickstart.sh"));
        startInfo.Environment["PERSONALIZE_QUICKSTART_DIR"] = stateDirectory;
        startInfo.Environment["PERSONALIZE_QUICKSTART_CONFIGURATION"] = "Debug";
        startInfo.Environment["QUICKSTART_USERS"] = "200";
        startInfo.Environment["QUICKSTART_ITEMS"] = "120";
        startInfo.Environment["QUICKSTART_INTERACTIONS"] = "4000";
        return new Quickstart(ChildProcess.Start(startInfo, "quickstart.sh"));
    }

    /// <summary>Until the serving banner and the whole block below it (the boto3 hint is its last line) are read: the
    /// block is one write, but it reaches the test line by line.</summary>
    public async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        await _process.WaitForOutputAsync(ServingBanner, timeout);
        await _process.WaitForOutputAsync("boto3.client(\"personalize\"", TimeSpan.FromSeconds(30));
    }

    /// <summary>The curl commands printed after the serving banner, with the comment line above each.</summary>
    public IReadOnlyList<(string Comment, string Command)> PrintedCommands()
    {
        var lines = Output.Split('\n');
        var start = Array.FindLastIndex(lines, l => l.Contains(ServingBanner, StringComparison.Ordinal));
        var commands = new List<(string, string)>();
        for (var i = start + 1; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("curl ", StringComparison.Ordinal))
            {
                commands.Add((lines[i - 1].Trim().TrimStart('#').Trim(), lines[i].Trim()));
            }
        }

        return commands;
    }

    /// <summary>Lines matching a pattern anywhere in the output (progress lines, for instance).</summary>
    public IReadOnlyList<string> Lines(Regex pattern) => Output.Split('\n').Where(l => pattern.IsMatch(l)).ToList();

    /// <summary>Ctrl-C: SIGINT to the operator (quickstart.sh execs it), then waits for it to exit.</summary>
    public async Task InterruptAsync(TimeSpan timeout)
    {
        (await ProcessRunner.RunAsync("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])).EnsureSuccess("kill -INT");
        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"http://127\.0\.0\.1:(\d+)")]
    public static partial Regex LocalEndpoint();
}
