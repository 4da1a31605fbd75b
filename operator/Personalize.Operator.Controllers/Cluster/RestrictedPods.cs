using k8s.Models;

namespace Personalize.Operator.Controllers.Cluster;

/// <summary>
/// Makes trainer and runtime pods pass the Pod Security "restricted" profile, so namespaces that enforce it admit
/// them: a non-root user, no privilege escalation, every capability dropped, the runtime's default seccomp profile,
/// and no service-account token (neither process calls the Kubernetes API). The root filesystem is read-only; the
/// one place both processes write is the temp folder (Parquet parts being staged or read, upload spools, batch
/// output spools, the .NET diagnostics socket), an emptyDir at /tmp that TMPDIR names. Checkpoints and results go
/// to the object store, not to disk.
/// </summary>
public static class RestrictedPods
{
    /// <summary>The `app` user of Microsoft's .NET images (APP_UID). Set by number: the kubelet cannot check that an
    /// image's USER given by name (as the trainer image's `USER app`) is not root, and refuses to start it.</summary>
    public const long AppUid = 1654;

    public const string ScratchVolume = "tmp";

    public const string ScratchPath = "/tmp";

    public static void Apply(V1PodSpec pod)
    {
        pod.AutomountServiceAccountToken = false;
        pod.SecurityContext = new V1PodSecurityContext
        {
            RunAsNonRoot = true,
            RunAsUser = AppUid,
            RunAsGroup = AppUid,
            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
        };
        pod.Volumes ??= [];
        pod.Volumes.Add(new V1Volume { Name = ScratchVolume, EmptyDir = new V1EmptyDirVolumeSource() });
        foreach (var container in pod.Containers)
        {
            container.SecurityContext = new V1SecurityContext
            {
                AllowPrivilegeEscalation = false,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
                ReadOnlyRootFilesystem = true,
                RunAsNonRoot = true,
            };
            container.VolumeMounts ??= [];
            container.VolumeMounts.Add(new V1VolumeMount { Name = ScratchVolume, MountPath = ScratchPath });
            container.Env ??= [];
            container.Env.Add(new V1EnvVar { Name = "TMPDIR", Value = ScratchPath });
        }
    }
}
