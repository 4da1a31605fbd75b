namespace Personalize.Testing;

/// <summary>
/// An executable as its own project built it (&lt;project&gt;/bin/&lt;Configuration&gt;/net10.0/), with the files its
/// deps.json names. A copy in a test's output can lack some: a test project that also references a web project
/// takes the shared ASP.NET Core framework's Microsoft.Extensions.* instead of the trainer's packages.
/// </summary>
public static class BuiltExecutable
{
    public static string Dll(string project, string assembly)
    {
        // This test assembly's configuration (bin/<Configuration>/net10.0/) is the one the executables were built in.
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(InfraPaths.RepoRoot, project, "bin", framework.Parent!.Name, framework.Name, assembly + ".dll");
    }

    /// <summary>personalize-trainer.dll in trainer/Personalize.Trainer's output.</summary>
    public static string Trainer => Dll("trainer/Personalize.Trainer", "personalize-trainer");
}
