using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Personalize.Testing;

/// <summary>
/// Keeps the TorchSharp compat LD_LIBRARY_PATH out of child processes. A test host running under
/// the compat host has Debian 13's libc on LD_LIBRARY_PATH; any ordinary program (node, etcd,
/// kubectl, sh) started with it inherited crashes on load. All helpers here strip it by default.
/// </summary>
public static class ChildEnvironment
{
    public const string LibraryPathVariable = "LD_LIBRARY_PATH";

    // Start infos that TorchCompat.ApplyTo prepared on purpose keep their LD_LIBRARY_PATH.
    private static readonly ConditionalWeakTable<ProcessStartInfo, object> Allowed = [];

    /// <summary>Removes LD_LIBRARY_PATH from the child's environment.</summary>
    public static void RemoveLibraryPath(ProcessStartInfo startInfo) =>
        startInfo.Environment.Remove(LibraryPathVariable);

    /// <summary>Removes LD_LIBRARY_PATH unless <see cref="TorchCompat.ApplyTo"/> set it for this child.</summary>
    public static void Sanitize(ProcessStartInfo startInfo)
    {
        if (!Allowed.TryGetValue(startInfo, out _))
        {
            RemoveLibraryPath(startInfo);
        }
    }

    internal static void AllowLibraryPath(ProcessStartInfo startInfo) => Allowed.AddOrUpdate(startInfo, Allowed);
}
