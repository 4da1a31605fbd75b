using System.Diagnostics;
using System.Text;

namespace Personalize.Testing;

/// <summary>
/// The TorchSharp compat host made by tests/infra/torch-compat.sh (Debian 12 only: TorchSharp's
/// native shim needs GLIBCXX_3.4.32). Use <see cref="ApplyTo"/> for a child process that loads
/// TorchSharp, such as the trainer spawned by a local-mode test.
/// </summary>
public static class TorchCompat
{
    private const string RequiredSymbolVersion = "GLIBCXX_3.4.32";
    private const string SystemLibStdCxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";

    private static readonly Lazy<IReadOnlyDictionary<string, string>> Settings = new(Load);

    /// <summary>True when TorchSharp needs the compat host on this machine.</summary>
    public static bool IsNeeded => Settings.Value.Count > 0;

    /// <summary>The patched dotnet host, or null when not needed.</summary>
    public static string? HostPath => Settings.Value.GetValueOrDefault("HOST");

    /// <summary>The LD_LIBRARY_PATH for such a child, or null when not needed.</summary>
    public static string? LibraryPath => Settings.Value.GetValueOrDefault(ChildEnvironment.LibraryPathVariable);

    /// <summary>Environment variables a TorchSharp child needs (empty when not needed).</summary>
    public static IReadOnlyDictionary<string, string> Environment =>
        LibraryPath is { } path
            ? new Dictionary<string, string> { [ChildEnvironment.LibraryPathVariable] = path }
            : new Dictionary<string, string>();

    /// <summary>
    /// Prepares a child that loads TorchSharp: when needed, swaps the <c>dotnet</c> host for the
    /// patched one and sets LD_LIBRARY_PATH for that child alone. The child must be started as
    /// <c>dotnet app.dll</c>: an apphost executable has the system loader, which cannot use the newer libc.
    /// Children of that child inherit the variable: it must strip it before spawning anything.
    /// </summary>
    public static void ApplyTo(ProcessStartInfo startInfo)
    {
        if (!IsNeeded)
        {
            ChildEnvironment.RemoveLibraryPath(startInfo);
            return;
        }

        if (!string.Equals(Path.GetFileName(startInfo.FileName), "dotnet", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"TorchCompat needs the child started as 'dotnet <app>.dll', not '{startInfo.FileName}'.");
        }

        startInfo.FileName = HostPath!;
        startInfo.Environment[ChildEnvironment.LibraryPathVariable] = LibraryPath;
        ChildEnvironment.AllowLibraryPath(startInfo);
    }

    private static IReadOnlyDictionary<string, string> Load()
    {
        var envFile = Path.Combine(InfraPaths.TorchCompatDir, "env");
        if (File.Exists(envFile))
        {
            return File.ReadAllLines(envFile)
                .Select(line => line.Split('=', 2))
                .Where(parts => parts.Length == 2)
                .ToDictionary(parts => parts[0], parts => parts[1]);
        }

        if (SystemHasRequiredLibStdCxx())
        {
            return new Dictionary<string, string>();
        }

        throw InfraMissingException.For("TorchSharp compat host (torch-compat/env)", envFile);
    }

    private static bool SystemHasRequiredLibStdCxx()
    {
        if (!File.Exists(SystemLibStdCxx))
        {
            return false;
        }

        var needle = Encoding.ASCII.GetBytes(RequiredSymbolVersion);
        return File.ReadAllBytes(SystemLibStdCxx).AsSpan().IndexOf(needle) >= 0;
    }
}
