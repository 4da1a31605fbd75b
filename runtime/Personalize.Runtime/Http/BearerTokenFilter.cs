namespace Personalize.Runtime.Http;

/// <summary>Refuses API requests without the configured bearer token (401 AccessDeniedException).</summary>
public sealed class BearerTokenFilter(BearerToken token) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!token.Accepts(context.HttpContext.Request.Headers.Authorization))
        {
            return PersonalizeError.Unauthorized("This runtime requires an 'Authorization: Bearer <token>' header with the campaign's token.");
        }

        return await next(context);
    }
}
