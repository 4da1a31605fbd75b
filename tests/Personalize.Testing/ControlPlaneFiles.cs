using System.Security.Cryptography;

namespace Personalize.Testing;

/// <summary>The files one test control plane needs, all inside its own temp dir.</summary>
internal sealed class ControlPlaneFiles(string root)
{
    public string EtcdData => Path.Combine(root, "etcd");

    public string CertDir => Path.Combine(root, "certs");

    /// <summary>Written by kube-apiserver itself at start-up (self-signed, CA included).</summary>
    public string ServingCertificate => Path.Combine(CertDir, "apiserver.crt");

    public string Tokens => Path.Combine(root, "tokens.csv");

    public string ServiceAccountPrivateKey => Path.Combine(root, "sa.key");

    public string ServiceAccountPublicKey => Path.Combine(root, "sa.pub");

    public string Kubeconfig => Path.Combine(root, "kubeconfig");

    public async Task WriteAsync(string adminToken, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(CertDir);
        // Static token file format: token,user,uid,"group1,group2".
        await File.WriteAllTextAsync(Tokens, $"{adminToken},admin,admin,\"system:masters\"\n", cancellationToken);
        using var key = RSA.Create(2048);
        await File.WriteAllTextAsync(ServiceAccountPrivateKey, key.ExportRSAPrivateKeyPem(), cancellationToken);
        await File.WriteAllTextAsync(ServiceAccountPublicKey, key.ExportSubjectPublicKeyInfoPem(), cancellationToken);
    }
}
