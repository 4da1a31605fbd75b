using System.Text.Json;

namespace Personalize.Runtime.Http;

/// <summary>
/// An error as AWS rest-json services send it: a JSON body {"message": "..."} and the error code in the
/// x-amzn-ErrorType header, which botocore and the AWS SDKs turn into the modelled exception
/// (client.exceptions.InvalidInputException, ResourceNotFoundException).
/// </summary>
public sealed class PersonalizeError(int statusCode, string errorType, string message) : IResult
{
    public const string ErrorTypeHeader = "x-amzn-ErrorType";

    public int StatusCode { get; } = statusCode;

    public string ErrorType { get; } = errorType;

    public string Message { get; } = message;

    public static PersonalizeError InvalidInput(string message) => new(StatusCodes.Status400BadRequest, "InvalidInputException", message);

    public static PersonalizeError NotFound(string message) => new(StatusCodes.Status404NotFound, "ResourceNotFoundException", message);

    public static PersonalizeError TooLarge(string message) => new(StatusCodes.Status413PayloadTooLarge, "InvalidInputException", message);

    /// <summary>429 with the code botocore's retry handler treats as throttling, so SDK clients back off and retry.</summary>
    public static PersonalizeError Throttled(string message) => new(StatusCodes.Status429TooManyRequests, "ThrottlingException", message);

    public static PersonalizeError Unauthorized(string message) => new(StatusCodes.Status401Unauthorized, "AccessDeniedException", message);

    public static PersonalizeError NotReady(string message) => new(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailableException", message);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.Headers[ErrorTypeHeader] = ErrorType;
        if (StatusCode == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }

        response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(response.Body, new ErrorBody(Message), RuntimeJson.Options, httpContext.RequestAborted);
    }

    private sealed record ErrorBody([property: System.Text.Json.Serialization.JsonPropertyName("message")] string Message);
}
