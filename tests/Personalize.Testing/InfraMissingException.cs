namespace Personalize.Testing;

/// <summary>
/// A test tool is not installed. Tests fail with this rather than skip, so a missing install
/// step can never hide behind a green run.
/// </summary>
public sealed class InfraMissingException(string message) : Exception(message)
{
    public const string InstallCommand = "bash tests/infra/install-all.sh";

    internal static InfraMissingException For(string what, string path) =>
        new($"{what} not found at '{path}'. Install the test tools with: {InstallCommand}");
}
