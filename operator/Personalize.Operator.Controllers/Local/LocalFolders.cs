namespace Personalize.Operator.Controllers.Local;

/// <summary>
/// Where local mode keeps things: resources in <paramref name="Manifests"/> (YAML), statuses and runs under
/// <paramref name="State"/>, the object store in a folder at <paramref name="StoreRoot"/> (s3://bucket/key is
/// StoreRoot/bucket/key, as for the children via PERSONALIZE_STORE_ROOT).
/// </summary>
public sealed record LocalFolders(string Manifests, string State, string StoreRoot);
