#!/usr/bin/env bash
# What the cluster fixture (tests/Personalize.Testing/KubeNode.cs) needs to run a real node next to the
# API server: Debian's containerd, runc and CNI plugins, iptables for kube-proxy, and the CRI's pause
# image, built here (no registry can be reached) as a one-layer OCI archive of a static pause binary.
# The fixture starts its own containerd with its own config and sockets; Debian's service is never used.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NDIR="$CACHE/node"
mkdir -p "$NDIR"

apt_install containerd runc containernetworking-plugins iptables conntrack buildah gcc libc6-dev
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  as_root systemctl disable --now containerd >/dev/null 2>&1 || true
fi
for plugin in bridge host-local loopback portmap; do
  [ -x "/usr/lib/cni/$plugin" ] || fail "CNI plugin $plugin missing (run: apt-get install -y containernetworking-plugins)" tests/infra/node.sh
done

# The kernel facts the node relies on; fail with what is missing rather than a pod stuck in ContainerCreating.
[ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || fail "no cgroup memory controller mounted" tests/infra/node.sh
grep -qw overlay /proc/filesystems || as_root modprobe overlay 2>/dev/null || fail "overlayfs not available (modprobe overlay)" tests/infra/node.sh
iptables -t nat -L -n >/dev/null 2>&1 || fail "iptables' nat table does not work" tests/infra/node.sh
ready containerd "$(containerd --version | awk '{print $3}'), runc $(runc --version | awk 'NR == 1 {print $3}'), CNI /usr/lib/cni"

# The pause container: holds the pod's namespaces, reaps zombies, exits on SIGINT/SIGTERM.
PAUSE_RECIPE="pause-c-1"
PAUSE_ARCHIVE="$NDIR/pause.tar"
if [ "$(cat "$PAUSE_ARCHIVE.recipe" 2>/dev/null)" != "$PAUSE_RECIPE" ] || [ ! -f "$PAUSE_ARCHIVE" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cat >"$work/pause.c" <<'C'
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, NULL, WNOHANG) > 0) {} }
int main(void) {
  struct sigaction s = {0}, r = {0};
  s.sa_handler = stop; sigaction(SIGINT, &s, NULL); sigaction(SIGTERM, &s, NULL);
  r.sa_handler = reap; r.sa_flags = SA_NOCLDSTOP; sigaction(SIGCHLD, &r, NULL);
  for (;;) pause();
}
C
  gcc -static -Os -o "$work/pause" "$work/pause.c" || fail "compiling the pause binary failed" tests/infra/node.sh
  store=(--root "$work/storage" --runroot "$work/run" --storage-driver vfs)
  ctr=$(buildah "${store[@]}" from scratch)
  buildah "${store[@]}" copy "$ctr" "$work/pause" /pause >/dev/null
  buildah "${store[@]}" config --entrypoint '["/pause"]' --user 65535:65535 "$ctr"
  buildah "${store[@]}" commit --quiet --rm "$ctr" localhost/personalize/pause:1 >/dev/null
  buildah "${store[@]}" push --quiet localhost/personalize/pause:1 "oci-archive:$PAUSE_ARCHIVE:localhost/personalize/pause:1" \
    || fail "writing the pause image failed" tests/infra/node.sh
  buildah "${store[@]}" rmi --all --force >/dev/null 2>&1 || true
  echo "$PAUSE_RECIPE" >"$PAUSE_ARCHIVE.recipe"
fi
ready pause-image "localhost/personalize/pause:1, $PAUSE_ARCHIVE"
