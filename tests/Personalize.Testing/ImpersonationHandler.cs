namespace Personalize.Testing;

/// <summary>Adds Kubernetes impersonation headers, so an admin connection acts as another user
/// and the API server applies that user's RBAC.</summary>
internal sealed class ImpersonationHandler(string user, IReadOnlyList<string> groups) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Add("Impersonate-User", user);
        foreach (var group in groups)
        {
            request.Headers.Add("Impersonate-Group", group);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
