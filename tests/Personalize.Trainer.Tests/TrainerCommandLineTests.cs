using System.Diagnostics;
using Personalize.Testing;

namespace Personalize.Trainer.Tests;

/// <summary>The real `personalize-trainer` command line as the operator and a data engineer type it: each verb's help, and typos refused.</summary>
public sealed class TrainerCommandLineTests
{
    [Theory]
    [InlineData("import", "--spec")]
    [InlineData("train", "--spec")]
    [InlineData("batch-infer", "--spec")]
    [InlineData("generate", "--interactions")]
    public async Task EachVerbsHelp_ListsItsOptions(string verb, string option)
    {
        var help = await RunAsync(null, verb, "--help");

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains($"personalize-trainer {verb} [options]", help.StdOut, StringComparison.Ordinal);
        Assert.Contains(option, help.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMisspeltOption_FailsWithTheUsage_AndWritesNothing()
    {
        var output = Directory.CreateTempSubdirectory("trainer-cli-").FullName;
        try
        {
            var typo = await RunAsync(null, "generate", "--output", output, "--user", "5");

            Assert.Equal(2, typo.ExitCode);
            Assert.Contains("'--user' was not matched", typo.StdErr, StringComparison.Ordinal);
            Assert.Contains("--users", typo.StdErr, StringComparison.Ordinal);
            Assert.Contains("Usage:", typo.StdErr, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(output));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task AnUnknownVerbOrAMissingSpec_FailsWithTheUsage()
    {
        var unknown = await RunAsync(null, "trian", "--spec", "job.json");
        var missing = await RunAsync(null, "train");

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("train", unknown.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("Option '--spec' is required", missing.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadValues_FailAtStart_NamingEachOption()
    {
        var notANumber = await RunAsync(null, "generate", "--output", "unused", "--items", "many");
        var outOfRange = await RunAsync(null, "generate", "--output", "unused", "--users", "0", "--days", "0");

        Assert.Equal(2, notANumber.ExitCode);
        Assert.Contains("--items", notANumber.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, outOfRange.ExitCode);
        Assert.Contains("--users must be at least 1", outOfRange.StdErr, StringComparison.Ordinal);
        Assert.Contains("--days must be at least 1", outOfRange.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists("unused"));
    }

    [Fact]
    public async Task WithLogFormatJson_ItsLogIsOneJsonObjectALine_OnStderr()
    {
        var failed = await RunAsync(new Dictionary<string, string> { ["PERSONALIZE_STORE_ROOT"] = Path.GetTempPath() }, "train", "--spec", "/nonexistent/job.json", "--log-format", "json");

        Assert.Equal(1, failed.ExitCode);
        var line = Assert.Single(failed.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var log = System.Text.Json.Nodes.JsonNode.Parse(line)!;
        Assert.Equal("Error", log["LogLevel"]!.GetValue<string>());
        Assert.Contains("cannot start", log["Message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, failed.StdOut);
    }

    [Fact]
    public async Task WithTheFormatSettingInItsEnvironment_AsTheOperatorSetsIt_ItsLogIsOneJsonObjectALine()
    {
        var failed = await RunAsync(
            new Dictionary<string, string> { ["PERSONALIZE_STORE_ROOT"] = Path.GetTempPath(), ["Logging__Console__FormatterName"] = "json" },
            "train", "--spec", "/nonexistent/job.json");

        Assert.Equal(1, failed.ExitCode);
        var line = Assert.Single(failed.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("Error", System.Text.Json.Nodes.JsonNode.Parse(line)!["LogLevel"]!.GetValue<string>());
    }

    private static async Task<ProcessResult> RunAsync(Dictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { BuiltExecutable.Trainer } };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        TorchCompat.ApplyTo(start);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await ProcessRunner.RunAsync(start, standardInput: null, timeout.Token);
    }
}
