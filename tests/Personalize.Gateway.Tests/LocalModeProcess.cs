using System.Diagnostics;
using System.Text.RegularExpressions;
using Personalize.Testing;

namespace Personalize.Gateway.Tests;

/// <summary>
/// `personalize local` as a user starts it, from the build outputs of the operator, trainer and runtime (this project
/// builds them), over an empty manifest folder: everything it does comes through the Personalize API it prints.
/// </summary>
public sealed partial class LocalModeProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private LocalModeProcess(ChildProcess process, string store)
    {
        _process = process;
        Store = store;
    }

    /// <summary>The object store folder: s3://bucket/key is Store/bucket/key.</summary>
    public string Store { get; }

    public string Output => _process.Output;

    public static LocalModeProcess Start(string root, int apiPort)
    {
        var manifests = Directory.CreateDirectory(Path.Combine(root, "manifests")).FullName;
        var store = Path.Combine(root, "store");
        var start = new ProcessStartInfo("dotnet");
        foreach (var argument in new[] { BuiltExecutable.Dll("operator/Personalize.Operator", "personalize"), "local", manifests, "--state", Path.Combine(root, "state"), "--store", store, "--api-port", apiPort.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PERSONALIZE_TRAINER_COMMAND"] = "dotnet " + BuiltExecutable.Dll("trainer/Personalize.Trainer", "personalize-trainer");
        start.Environment["PERSONALIZE_RUNTIME_COMMAND"] = "dotnet " + BuiltExecutable.Dll("runtime/Personalize.Runtime", "personalize-runtime");
        if (TorchCompat.IsNeeded)
        {
            start.Environment["PERSONALIZE_TRAINER_DOTNET_HOST"] = TorchCompat.HostPath;
            start.Environment["PERSONALIZE_TRAINER_LD_LIBRARY_PATH"] = TorchCompat.LibraryPath;
        }

        return new LocalModeProcess(ChildProcess.Start(start, "personalize local"), store);
    }

    /// <summary>Writes generated sample data (the quickstart's generator, small) into s3://<paramref name="bucket"/>/.</summary>
    public async Task GenerateDataAsync(string bucket, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet");
        foreach (var argument in new[] { BuiltExecutable.Dll("trainer/Personalize.Trainer", "personalize-trainer"), "generate", "--output", Path.Combine(Store, bucket), "--users", "200", "--items", "120", "--interactions", "4000" })
        {
            start.ArgumentList.Add(argument);
        }

        TorchCompat.ApplyTo(start);
        (await ProcessRunner.RunAsync(start, standardInput: null, cancellationToken)).EnsureSuccess("personalize-trainer generate");
    }

    /// <summary>The endpoint_url local mode printed at start.</summary>
    public async Task<string> ApiEndpointAsync(TimeSpan timeout)
    {
        await _process.WaitForOutputAsync("Personalize API", timeout);
        return ApiLine().Match(Output).Groups[1].Value;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"Personalize API \(boto3 endpoint_url[^)]*\): (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ApiLine();
}
