using System.Net;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Personalize.Jobs;

namespace Personalize.Operator.Controllers.Cluster;

/// <summary>
/// Each campaign's bearer token, in a Secret the operator manages (owned by the campaign, so it goes with it).
/// Clients read key <see cref="TokenKey"/>; runtime pods mount key <see cref="AcceptedKey"/> (the current token and the
/// previous one, one per line) and read it again when the kubelet updates the mount, so a rotation needs no restart
/// and the old token keeps working until the next rotation. A rotation is asked for by a new value of the campaign's
/// personalize.io/rotate-token annotation. SigV4 credentials, when the runtime checks them, fit the same Secret as
/// more keys under the same mount.
/// </summary>
public sealed class RuntimeTokens(IKubernetes client, string fieldManager)
{
    public const string TokenKey = "token";
    public const string AcceptedKey = "accepted-tokens";
    public const string RotationAnnotation = "personalize.io/token-rotation";
    public const string MountPath = "/var/run/personalize/auth";
    private const string Volume = "auth";

    public static string SecretName(string workload) => $"{workload}-token";

    /// <summary>Creates the Secret on first use, and writes a new token when <paramref name="rotation"/> is new; true when it wrote one.</summary>
    public async Task<bool> EnsureAsync(V1ObjectMeta owned, string? rotation, CancellationToken cancellationToken)
    {
        var ns = owned.NamespaceProperty;
        var current = await ReadAsync(owned.Name, ns, cancellationToken);
        rotation ??= string.Empty;
        if (current?.Metadata.Annotations is { } annotations && annotations.TryGetValue(RotationAnnotation, out var done) && done == rotation)
        {
            return false;
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var previous = current?.Data?.TryGetValue(TokenKey, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : null;
        var secret = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta
            {
                Name = owned.Name,
                NamespaceProperty = ns,
                Labels = owned.Labels,
                OwnerReferences = owned.OwnerReferences,
                Annotations = new Dictionary<string, string> { [RotationAnnotation] = rotation },
            },
            Type = "Opaque",
            Data = new Dictionary<string, byte[]>
            {
                [TokenKey] = Encoding.UTF8.GetBytes(token),
                [AcceptedKey] = Encoding.UTF8.GetBytes(previous is null ? token + "\n" : $"{token}\n{previous}\n"),
            },
        };
        await client.CoreV1.PatchNamespacedSecretAsync(new V1Patch(secret, V1Patch.PatchType.ApplyPatch), owned.Name, ns, fieldManager: fieldManager, force: true, cancellationToken: cancellationToken);
        return true;
    }

    /// <summary>Mounts the accepted tokens into every container and tells the runtime where they are.</summary>
    public static void Mount(V1PodSpec pod, string secretName)
    {
        pod.Volumes.Add(new V1Volume
        {
            Name = Volume,
            Secret = new V1SecretVolumeSource { SecretName = secretName, Items = [new V1KeyToPath { Key = AcceptedKey, Path = AcceptedKey }] },
        });
        foreach (var container in pod.Containers)
        {
            container.VolumeMounts.Add(new V1VolumeMount { Name = Volume, MountPath = MountPath, ReadOnlyProperty = true });
            container.Env ??= [];
            container.Env.Add(new V1EnvVar { Name = RuntimeConfig.TokenFileEnvironmentVariable, Value = $"{MountPath}/{AcceptedKey}" });
        }
    }

    private async Task<V1Secret?> ReadAsync(string name, string ns, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
