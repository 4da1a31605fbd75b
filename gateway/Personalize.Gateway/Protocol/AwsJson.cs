using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Personalize.Gateway.Protocol;

/// <summary>
/// AWS JSON 1.1 on the wire: `POST /` with `X-Amz-Target: AmazonPersonalize.&lt;Operation&gt;`, a JSON body, and
/// errors as `{"__type": "...", "message": "..."}` plus the `x-amzn-ErrorType` header, which is how botocore picks
/// the exception class.
/// </summary>
public static class AwsJson
{
    public const string ContentType = "application/x-amz-json-1.1";
    public const string TargetHeader = "X-Amz-Target";
    public const string TargetPrefix = "AmazonPersonalize.";
    public const string ErrorTypeHeader = "x-amzn-ErrorType";
    public const string RequestIdHeader = "x-amzn-RequestId";

    public static async Task WriteAsync(HttpContext context, JsonObject body)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = ContentType;
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public static async Task WriteErrorAsync(HttpContext context, PersonalizeException error)
    {
        context.Response.StatusCode = error.StatusCode;
        context.Response.ContentType = ContentType;
        context.Response.Headers[ErrorTypeHeader] = error.Code;
        var body = new JsonObject { ["__type"] = error.Code, ["message"] = error.Message };
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    /// <summary>The request body as an object; an empty body is an empty request (boto3 sends `{}`).</summary>
    public static JsonObject ParseBody(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw PersonalizeException.InvalidInput("The request body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw PersonalizeException.InvalidInput($"The request body is not JSON: {ex.Message}");
        }
    }
}
