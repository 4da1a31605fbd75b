namespace Personalize.Testing;

/// <summary><see cref="KubeApiServer"/> plus kube-controller-manager, as a parameterless fixture
/// type for xunit: Deployments get ReplicaSets and Pods, Jobs get Pods, owners are garbage-collected.</summary>
public sealed class KubeApiServerWithControllers() : KubeApiServer(withControllerManager: true);
