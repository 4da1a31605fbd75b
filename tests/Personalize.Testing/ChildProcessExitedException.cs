namespace Personalize.Testing;

/// <summary>A server child exited while a test still needed it; never worth retrying.</summary>
public sealed class ChildProcessExitedException(string message) : Exception(message);
