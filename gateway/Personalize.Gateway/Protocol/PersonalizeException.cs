namespace Personalize.Gateway.Protocol;

/// <summary>
/// An error in Personalize's words: <see cref="Code"/> is the modelled exception name botocore maps to a class
/// (client.exceptions.ResourceNotFoundException, ...), <see cref="StatusCode"/> the HTTP status the service sends.
/// </summary>
public sealed class PersonalizeException(string code, string message, int statusCode = 400) : Exception(message)
{
    public string Code { get; } = code;

    public int StatusCode { get; } = statusCode;

    public static PersonalizeException InvalidInput(string message) => new("InvalidInputException", message);

    /// <summary>
    /// The operator's own problems with a spec, answered at once so that what it would fail is never created; their
    /// field paths become the API's member names (the spec's fields without `spec.`).
    /// </summary>
    public static void ThrowIfInvalid(IEnumerable<string> problems)
    {
        if (string.Join("; ", problems.Select(p => p.StartsWith("spec.", StringComparison.Ordinal) ? p["spec.".Length..] : p)) is { Length: > 0 } message)
        {
            throw InvalidInput(message);
        }
    }

    public static PersonalizeException NotFound(string message) => new("ResourceNotFoundException", message);

    public static PersonalizeException AlreadyExists(string message) => new("ResourceAlreadyExistsException", message);

    public static PersonalizeException InUse(string message) => new("ResourceInUseException", message);

    public static PersonalizeException LimitExceeded(string message) => new("LimitExceededException", message);

    public static PersonalizeException InvalidNextToken(string message) => new("InvalidNextTokenException", message);

    /// <summary>No or unknown access key: what AWS answers an unsigned request or a key it does not know.</summary>
    public static PersonalizeException UnrecognizedClient(string message) => new("UnrecognizedClientException", message, 403);

    public static PersonalizeException InvalidSignature(string message) => new("InvalidSignatureException", message, 403);

    /// <summary>A valid key that may not act here: what AWS answers a call its policies deny.</summary>
    public static PersonalizeException AccessDenied(string message) => new("AccessDeniedException", message, 403);

    public static PersonalizeException UnknownOperation(string message) => new("UnknownOperationException", message);
}
