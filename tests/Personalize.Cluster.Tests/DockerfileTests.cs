using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Personalize.Testing;
using Xunit;

namespace Personalize.Cluster.Tests;

/// <summary>
/// Static checks of the four Dockerfiles. Three of them are also built and run on the node (tests/infra/images.sh,
/// <see cref="LifecycleTests"/>); trainer/Dockerfile.cuda cannot be built here (its NVIDIA base image and
/// libtorch-cuda cannot be reached), so these checks are all it gets: what it publishes and starts exists, and the
/// CUDA build of the trainer project resolves to the libtorch the base image's CUDA runs.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string, string, string> Images => new()
    {
        { "operator/Dockerfile", "operator/Personalize.Operator/Personalize.Operator.csproj", "dotnet /app/{0}.dll" },
        { "runtime/Dockerfile", "runtime/Personalize.Runtime/Personalize.Runtime.csproj", "dotnet /app/{0}.dll" },
        { "trainer/Dockerfile", "trainer/Personalize.Trainer/Personalize.Trainer.csproj", "dotnet /app/{0}.dll" },
        { "trainer/Dockerfile.cuda", "trainer/Personalize.Trainer/Personalize.Trainer.csproj", "/app/{0}" },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void TheImagePublishesItsProjectAndStartsWhatItPublished(string dockerfile, string project, string entrypoint)
    {
        var lines = Instructions(dockerfile);
        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal))
            .Select(l => FromStage().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var copy in lines.Where(l => l.StartsWith("COPY --from=", StringComparison.Ordinal)))
        {
            Assert.Contains(copy["COPY --from=".Length..].Split(' ')[0], stages);
        }

        var publish = Assert.Single(lines, l => l.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.Contains($" {project} ", publish + " ", StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(InfraPaths.RepoRoot, project)), $"{dockerfile} publishes {project}, which does not exist");

        var assemblyName = Regex.Match(File.ReadAllText(Path.Combine(InfraPaths.RepoRoot, project)), "<AssemblyName>([^<]+)</AssemblyName>").Groups[1].Value;
        var start = JsonSerializer.Deserialize<string[]>(Assert.Single(lines, l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))["ENTRYPOINT ".Length..])!;
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, entrypoint, assemblyName), string.Join(' ', start));

        // Non-root: an explicit USER, or the chiseled base whose default user is app (1654).
        var final = lines.Last(l => l.StartsWith("FROM ", StringComparison.Ordinal));
        Assert.True(
            final.Contains("chiseled", StringComparison.Ordinal) || lines.SkipWhile(l => l != final).Any(l => l.StartsWith("USER ", StringComparison.Ordinal) && !l.EndsWith(" root", StringComparison.Ordinal)),
            $"{dockerfile}'s final stage runs as root");
    }

    [Fact]
    public async Task TheCudaTrainerResolvesLibtorchForTheCudaOfItsBaseImage()
    {
        var lines = Instructions("trainer/Dockerfile.cuda");
        var publish = Assert.Single(lines, l => l.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.Contains("-p:TorchBackend=cuda", publish, StringComparison.Ordinal);
        Assert.Contains("-r linux-x64 --self-contained true", publish, StringComparison.Ordinal);
        var baseCuda = Regex.Match(lines.Last(l => l.StartsWith("FROM ", StringComparison.Ordinal)), @"nvidia/cuda:(\d+\.\d+)\.").Groups[1].Value;

        // What restore would fetch for that publish, from MSBuild's own evaluation of the project (no download).
        var cuda = await PackageReferencesAsync("-p:TorchBackend=cuda");
        var cpu = await PackageReferencesAsync();
        var libtorch = Assert.Single(cuda.Keys, k => k.StartsWith("libtorch-cuda-", StringComparison.Ordinal));
        Assert.Equal($"libtorch-cuda-{baseCuda}-linux-x64", libtorch);
        Assert.All(cuda, reference => Assert.False(string.IsNullOrEmpty(reference.Value), $"{reference.Key} has no version in Directory.Packages.props"));
        Assert.Equal(cpu["TorchSharp-cpu"], cuda["TorchSharp"]);
        Assert.DoesNotContain("TorchSharp-cpu", cuda.Keys);
    }

    private static List<string> Instructions(string dockerfile)
    {
        // Continuation lines joined, comments dropped, whitespace collapsed.
        var text = File.ReadAllText(Path.Combine(InfraPaths.RepoRoot, dockerfile));
        return Regex.Replace(text, @"\\\r?\n", " ")
            .Split('\n')
            .Select(l => Regex.Replace(l.Trim(), @"\s+", " "))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
    }

    /// <summary>The project's package references with their central versions (Directory.Packages.props).</summary>
    private static async Task<Dictionary<string, string>> PackageReferencesAsync(params string[] properties)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "msbuild", Path.Combine(InfraPaths.RepoRoot, "trainer/Personalize.Trainer/Personalize.Trainer.csproj"), "-getItem:PackageReference", "-getItem:PackageVersion", "-nologo" },
        };
        foreach (var property in properties)
        {
            startInfo.ArgumentList.Add(property);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = (await ProcessRunner.RunAsync(startInfo, standardInput: null, timeout.Token)).EnsureSuccess("dotnet msbuild -getItem");
        var items = JsonDocument.Parse(result.StdOut).RootElement.GetProperty("Items");
        var versions = items.GetProperty("PackageVersion").EnumerateArray()
            .ToDictionary(i => i.GetProperty("Identity").GetString()!, i => i.GetProperty("Version").GetString() ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        return items.GetProperty("PackageReference").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!)
            .ToDictionary(name => name, name => versions.GetValueOrDefault(name, string.Empty));
    }

    [GeneratedRegex(@"^FROM \S+ AS (\S+)$", RegexOptions.IgnoreCase)]
    private static partial Regex FromStage();
}
