using Personalize.Data.Storage;

namespace Personalize.Models.Tests;

/// <summary>A FolderObjectStore in a fresh temporary directory, removed afterwards.</summary>
public sealed class TempStore : IDisposable
{
    public TempStore()
    {
        Root = Directory.CreateTempSubdirectory("models-tests-").FullName;
        Store = new FolderObjectStore(Root);
    }

    public string Root { get; }

    public IObjectStore Store { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
