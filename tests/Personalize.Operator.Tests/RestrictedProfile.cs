using k8s.Models;

namespace Personalize.Operator.Tests;

/// <summary>
/// The checks of the Pod Security Standards' "restricted" level (kubernetes.io/docs/concepts/security/pod-security-standards,
/// baseline included), for the fields our pods could set. The API server of the tests (1.20) predates PodSecurity
/// admission, so the tests ask these questions of the Pod objects the controllers really created.
/// </summary>
public static class RestrictedProfile
{
    private static readonly HashSet<string> AllowedVolumeKinds = ["configMap", "emptyDir", "secret", "projected", "downwardAPI", "csi", "ephemeral", "persistentVolumeClaim"];

    public static IReadOnlyList<string> Violations(V1PodSpec pod)
    {
        var found = new List<string>();
        var podContext = pod.SecurityContext;
        if (pod.HostNetwork == true || pod.HostPID == true || pod.HostIPC == true)
        {
            found.Add("host namespaces");
        }

        foreach (var volume in pod.Volumes ?? [])
        {
            var kinds = new Dictionary<string, object?>
            {
                ["configMap"] = volume.ConfigMap,
                ["emptyDir"] = volume.EmptyDir,
                ["secret"] = volume.Secret,
                ["projected"] = volume.Projected,
                ["downwardAPI"] = volume.DownwardAPI,
                ["csi"] = volume.Csi,
                ["ephemeral"] = volume.Ephemeral,
                ["persistentVolumeClaim"] = volume.PersistentVolumeClaim,
            };
            if (!kinds.Any(k => k.Value is not null && AllowedVolumeKinds.Contains(k.Key)))
            {
                found.Add($"volume {volume.Name} is of a kind restricted forbids");
            }
        }

        foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
        {
            var c = container.SecurityContext;
            var name = container.Name;
            if (c?.Privileged == true)
            {
                found.Add($"{name}: privileged");
            }

            if (c?.AllowPrivilegeEscalation != false)
            {
                found.Add($"{name}: allowPrivilegeEscalation must be false");
            }

            if (c?.Capabilities?.Drop?.Contains("ALL") != true)
            {
                found.Add($"{name}: capabilities must drop ALL");
            }

            if (c?.Capabilities?.Add?.Any(a => a != "NET_BIND_SERVICE") == true)
            {
                found.Add($"{name}: adds capabilities");
            }

            if ((c?.RunAsNonRoot ?? podContext?.RunAsNonRoot) != true)
            {
                found.Add($"{name}: runAsNonRoot must be true");
            }

            if ((c?.RunAsUser ?? podContext?.RunAsUser) == 0)
            {
                found.Add($"{name}: runAsUser 0");
            }

            if ((c?.SeccompProfile ?? podContext?.SeccompProfile)?.Type is not ("RuntimeDefault" or "Localhost"))
            {
                found.Add($"{name}: seccompProfile must be RuntimeDefault or Localhost");
            }

            if (container.Ports?.Any(p => p.HostPort is > 0) == true)
            {
                found.Add($"{name}: hostPort");
            }
        }

        return found;
    }
}
