using System.Text.Json.Serialization;

namespace Personalize.Runtime.Api;

/// <summary>POST /users (personalize-events PutUsers).</summary>
public sealed class PutUsersRequest
{
    [JsonPropertyName("datasetArn")]
    public string? DatasetArn { get; set; }

    [JsonPropertyName("users")]
    public List<UserInput>? Users { get; set; }
}

public sealed class UserInput
{
    [JsonPropertyName("userId")]
    public string? UserId { get; set; }

    [JsonPropertyName("properties")]
    public string? Properties { get; set; }
}

/// <summary>POST /items (personalize-events PutItems).</summary>
public sealed class PutItemsRequest
{
    [JsonPropertyName("datasetArn")]
    public string? DatasetArn { get; set; }

    [JsonPropertyName("items")]
    public List<ItemInput>? Items { get; set; }
}

public sealed class ItemInput
{
    [JsonPropertyName("itemId")]
    public string? ItemId { get; set; }

    [JsonPropertyName("properties")]
    public string? Properties { get; set; }
}
