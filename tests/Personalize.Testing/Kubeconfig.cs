namespace Personalize.Testing;

/// <summary>Renders a single-context kubeconfig; YAML by hand keeps it free of serializer quirks.</summary>
internal static class Kubeconfig
{
    public static string Render(string serverUrl, string token) =>
        $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: {serverUrl}
            insecure-skip-tls-verify: true
        users:
        - name: admin
          user:
            token: {token}
        contexts:
        - name: test
          context:
            cluster: test
            user: admin
            namespace: default
        current-context: test

        """;
}
