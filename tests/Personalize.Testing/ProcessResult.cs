namespace Personalize.Testing;

/// <summary>The outcome of a finished command.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Throws with both streams in the message when the command failed.</summary>
    public ProcessResult EnsureSuccess(string? what = null)
    {
        if (!Succeeded)
        {
            throw new InvalidOperationException(
                $"{what ?? "command"} exited with {ExitCode}.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
        }

        return this;
    }
}
