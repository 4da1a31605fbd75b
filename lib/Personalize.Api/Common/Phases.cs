namespace Personalize.Api;

/// <summary>Amazon Personalize's status words, spelled exactly as its API spells them (with the spaces).</summary>
public static class Phases
{
    public const string CreatePending = "CREATE PENDING";
    public const string CreateInProgress = "CREATE IN_PROGRESS";
    public const string Active = "ACTIVE";
    public const string CreateFailed = "CREATE FAILED";
    public const string CreateStopping = "CREATE STOPPING";
    public const string CreateStopped = "CREATE STOPPED";
    public const string DeletePending = "DELETE PENDING";
    public const string DeleteInProgress = "DELETE IN_PROGRESS";

    public static IReadOnlyList<string> All { get; } =
        [CreatePending, CreateInProgress, Active, CreateFailed, CreateStopping, CreateStopped, DeletePending, DeleteInProgress];

    /// <summary>True once nothing more will happen without a change of spec.</summary>
    public static bool IsTerminal(string? phase) => phase is Active or CreateFailed or CreateStopped;
}
