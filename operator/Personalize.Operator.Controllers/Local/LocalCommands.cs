using System.Diagnostics;

namespace Personalize.Operator.Controllers.Local;

/// <summary>
/// How local mode starts the trainer and the runtime (docs/contracts.md, contract 7): PERSONALIZE_TRAINER_COMMAND and
/// PERSONALIZE_RUNTIME_COMMAND (a command line, e.g. "dotnet /opt/personalize/personalize-trainer.dll"), by default
/// the executables beside the operator. For the trainer only, PERSONALIZE_TRAINER_DOTNET_HOST replaces a leading
/// `dotnet` and PERSONALIZE_TRAINER_LD_LIBRARY_PATH becomes its LD_LIBRARY_PATH (the TorchSharp compat host).
/// </summary>
public sealed record LocalCommands(
    IReadOnlyList<string> Trainer,
    IReadOnlyList<string> Runtime,
    string? TrainerDotnetHost,
    string? TrainerLibraryPath)
{
    public static LocalCommands FromEnvironment(Func<string, string?> variable) => new(
        Split(variable("PERSONALIZE_TRAINER_COMMAND")) ?? Beside("personalize-trainer"),
        Split(variable("PERSONALIZE_RUNTIME_COMMAND")) ?? Beside("personalize-runtime"),
        Empty(variable("PERSONALIZE_TRAINER_DOTNET_HOST")),
        Empty(variable("PERSONALIZE_TRAINER_LD_LIBRARY_PATH")));

    public ProcessStartInfo TrainerStart(IEnumerable<string> arguments)
    {
        var start = Start(Trainer, arguments);
        if (TrainerDotnetHost is { } host && string.Equals(Path.GetFileName(start.FileName), "dotnet", StringComparison.Ordinal))
        {
            start.FileName = host;
        }

        if (TrainerLibraryPath is { } path)
        {
            start.Environment["LD_LIBRARY_PATH"] = path;
        }

        return start;
    }

    public ProcessStartInfo RuntimeStart(IEnumerable<string> arguments) => Start(Runtime, arguments);

    private static ProcessStartInfo Start(IReadOnlyList<string> command, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        // The operator's own library path (if any) is not the children's.
        start.Environment.Remove("LD_LIBRARY_PATH");
        return start;
    }

    /// <summary>The published executable beside the operator, or `dotnet X.dll` when only the dll is there.</summary>
    private static IReadOnlyList<string> Beside(string name)
    {
        var directory = AppContext.BaseDirectory;
        var dll = Path.Combine(directory, name + ".dll");
        var exe = Path.Combine(directory, name);
        return File.Exists(exe) ? [exe] : File.Exists(dll) ? ["dotnet", dll] : [name];
    }

    private static IReadOnlyList<string>? Split(string? command) =>
        string.IsNullOrWhiteSpace(command) ? null : command.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
