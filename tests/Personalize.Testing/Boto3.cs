using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Personalize.Testing;

/// <summary>Runs one of the test project's boto3 scripts (copied to its output folder) with python3 and reads the JSON object it prints last.</summary>
public static class Boto3
{
    public static async Task<JsonNode> RunAsync(string script, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo("python3");
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, script));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        // ProcessRunner strips LD_LIBRARY_PATH, so python runs with the machine's own libraries.
        using var cancel = new CancellationTokenSource(timeout);
        var result = (await ProcessRunner.RunAsync(startInfo, standardInput: null, cancel.Token)).EnsureSuccess(script);
        return JsonNode.Parse(result.StdOut.Trim().Split('\n')[^1])!;
    }
}
