using System.Text;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;

namespace Personalize.Data.Generation;

/// <summary>
/// Writes a generator's three CSVs and their schemas as files: interactions.csv, users.csv, items.csv and
/// {type}-schema.json, into a local folder or under an s3:// prefix (built locally, then uploaded).
/// </summary>
public static class GeneratedFiles
{
    public const string InteractionsCsv = "interactions.csv";
    public const string UsersCsv = "users.csv";
    public const string ItemsCsv = "items.csv";

    public static string SchemaFile(string datasetType) => $"{datasetType.ToLowerInvariant()}-schema.json";

    /// <summary>Writes every file into <paramref name="directory"/>; returns the interaction rows written.</summary>
    public static async Task<long> WriteToDirectoryAsync(SyntheticDataGenerator generator, string directory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        await WriteTextAsync(Path.Combine(directory, ItemsCsv), w => generator.WriteItemsAsync(w, cancellationToken));
        await WriteTextAsync(Path.Combine(directory, UsersCsv), w => generator.WriteUsersAsync(w, cancellationToken));
        long rows = 0;
        await WriteTextAsync(Path.Combine(directory, InteractionsCsv), async w => rows = await generator.WriteInteractionsAsync(w, cancellationToken));
        foreach (var schema in new[] { SyntheticDataGenerator.InteractionsSchema, SyntheticDataGenerator.UsersSchema, SyntheticDataGenerator.ItemsSchema })
        {
            await File.WriteAllTextAsync(Path.Combine(directory, SchemaFile(schema.DatasetType)), schema.ToJson(), cancellationToken);
        }

        return rows;
    }

    /// <summary>Writes every file under an s3:// prefix of the store; returns the interaction rows written.</summary>
    public static async Task<long> WriteToStoreAsync(SyntheticDataGenerator generator, IObjectStore store, S3Uri prefix, CancellationToken cancellationToken = default)
    {
        var local = Directory.CreateTempSubdirectory("personalize-generate-");
        try
        {
            var rows = await WriteToDirectoryAsync(generator, local.FullName, cancellationToken);
            foreach (var file in local.EnumerateFiles())
            {
                await using var content = file.OpenRead();
                await store.WriteAsync(prefix.AsPrefix().Append(file.Name), content, cancellationToken);
            }

            return rows;
        }
        finally
        {
            local.Delete(recursive: true);
        }
    }

    private static async Task WriteTextAsync(string path, Func<TextWriter, Task> write)
    {
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16);
        await write(writer);
    }
}
