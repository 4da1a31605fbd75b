using System.Text.Json;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Scoring;

namespace Personalize.Runtime;

/// <summary>The config file named by --config, checked before anything starts so a bad file fails with its reason.</summary>
public static class RuntimeArguments
{
    public static RuntimeConfig Load(string path)
    {
        RuntimeConfig config;
        try
        {
            config = JobJson.Deserialize<RuntimeConfig>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid runtime config: {e.Message}", e);
        }

        var problem = string.IsNullOrEmpty(config.CampaignArn) ? "campaignArn is required"
            : !S3Uri.TryParse(config.ModelUri, out _) ? $"modelUri \"{config.ModelUri}\" is not an s3:// location"
            : !S3Uri.TryParse(config.DatasetGroupUri, out _) ? $"datasetGroupUri \"{config.DatasetGroupUri}\" is not an s3:// location"
            : config.Filters.FirstOrDefault(f => string.IsNullOrEmpty(f.FilterArn)) is not null ? "filters[].filterArn is required"
            : config.Limits.MaxRequestBodyBytes <= 0 ? "limits.maxRequestBodyBytes must be positive"
            : null;
        if (problem is not null)
        {
            throw new InvalidDataException($"{path}: {problem}.");
        }

        try
        {
            ItemExploration.Parse(config.CampaignConfig.ItemExplorationConfig, "campaignConfig.itemExplorationConfig");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }

        return config;
    }
}
