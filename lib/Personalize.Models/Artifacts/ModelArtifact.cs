using System.Text.Json;
using Personalize.Data.Storage;
using Personalize.Jobs;

namespace Personalize.Models.Artifacts;

/// <summary>
/// A trained model as stored under StoreLayout.Model(...): manifest.json, vocabulary.json and model.safetensors.
/// The manifest is written last, so a reader that finds it finds a complete artifact.
/// </summary>
public sealed class ModelArtifact(ModelManifest manifest, ModelVocabulary vocabulary, IReadOnlyDictionary<string, SafeTensor> tensors)
{
    public const string TensorsFileName = "model.safetensors";

    public ModelManifest Manifest { get; } = manifest;

    public ModelVocabulary Vocabulary { get; } = vocabulary;

    public IReadOnlyDictionary<string, SafeTensor> Tensors { get; } = tensors;

    public SafeTensor Tensor(string name) =>
        Tensors.TryGetValue(name, out var tensor)
            ? tensor
            : throw new InvalidDataException($"Model artifact ({Manifest.Recipe}) has no tensor \"{name}\".");

    public static async Task<ModelArtifact> LoadAsync(IObjectStore store, S3Uri modelUri, CancellationToken cancellationToken)
    {
        var prefix = modelUri.AsPrefix();
        var manifest = await ReadJsonAsync<ModelManifest>(store, prefix.Append(ModelManifest.FileName), cancellationToken);
        if (manifest.FormatVersion > ModelManifest.CurrentFormatVersion)
        {
            throw new InvalidDataException(
                $"{prefix.Append(ModelManifest.FileName)}: formatVersion {manifest.FormatVersion} is newer than this build reads ({ModelManifest.CurrentFormatVersion}).");
        }

        var vocabulary = await ReadJsonAsync<ModelVocabulary>(store, prefix.Append(manifest.VocabularyFile), cancellationToken);
        await using var tensorStream = await store.OpenReadAsync(prefix.Append(manifest.TensorsFile), cancellationToken);
        var tensors = await SafeTensorsFormat.ReadAsync(tensorStream, cancellationToken);
        return new ModelArtifact(manifest, vocabulary, tensors);
    }

    public async Task SaveAsync(IObjectStore store, S3Uri modelUri, CancellationToken cancellationToken)
    {
        var prefix = modelUri.AsPrefix();
        using (var tensors = new MemoryStream())
        {
            await SafeTensorsFormat.WriteAsync(tensors, Tensors, cancellationToken);
            tensors.Position = 0;
            await store.WriteAsync(prefix.Append(Manifest.TensorsFile), tensors, cancellationToken);
        }

        await WriteJsonAsync(store, prefix.Append(Manifest.VocabularyFile), Vocabulary, cancellationToken);
        await WriteJsonAsync(store, prefix.Append(ModelManifest.FileName), Manifest, cancellationToken);
    }

    private static async Task<T> ReadJsonAsync<T>(IObjectStore store, S3Uri uri, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(uri, cancellationToken);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, JobJson.Options, cancellationToken)
                ?? throw new InvalidDataException($"{uri} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{uri} is not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }

    private static async Task WriteJsonAsync<T>(IObjectStore store, S3Uri uri, T value, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream();
        await JsonSerializer.SerializeAsync(stream, value, JobJson.Options, cancellationToken);
        stream.Position = 0;
        await store.WriteAsync(uri, stream, cancellationToken);
    }
}
