using Personalize.Operator.Controllers.Local;

namespace Personalize.Operator.LocalMode;

/// <summary>`personalize local`'s folders and port as given (flags over PERSONALIZE_* variables), checked when the host starts.</summary>
public sealed class LocalSettings
{
    public const string ApiPortVariable = "PERSONALIZE_API_PORT";

    public const string StoreRootVariable = "PERSONALIZE_STORE_ROOT";

    /// <summary>The Personalize API's port unless --api-port or PERSONALIZE_API_PORT says otherwise (0: any free port).</summary>
    public const int DefaultApiPort = 8642;

    public string Manifests { get; set; } = string.Empty;

    /// <summary>By default beside the manifest folder: &lt;folder&gt;-state.</summary>
    public string State { get; set; } = string.Empty;

    /// <summary>By default PERSONALIZE_STORE_ROOT, else &lt;state&gt;/store.</summary>
    public string StoreRoot { get; set; } = string.Empty;

    /// <summary>-1 when PERSONALIZE_API_PORT is not a number.</summary>
    public int ApiPort { get; set; } = DefaultApiPort;

    public LocalFolders Folders => new(Manifests, State, StoreRoot);

    public bool StateInsideManifests => State.StartsWith(Manifests + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
