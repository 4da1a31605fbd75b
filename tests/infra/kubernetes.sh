#!/usr/bin/env bash
# Builds a real kube-apiserver, kube-controller-manager, and the node's kubelet, kube-scheduler and
# kube-proxy (v1.20.2, Debian's source package with its vendor tree) into $CACHE/kubernetes/bin, and
# installs etcd-server. One build for all five: the source tree is removed afterwards.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KDIR="$CACHE/kubernetes"
BIN="$KDIR/bin"
TOOLS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

# etcd is started per test run by the fixtures; the Debian daemon must never be needed or left running.
apt_install etcd-server
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  as_root systemctl disable --now etcd >/dev/null 2>&1 || true
elif pgrep -x etcd >/dev/null && [ -x /etc/init.d/etcd ]; then
  as_root /etc/init.d/etcd stop >/dev/null 2>&1 || true
fi
[ -x /usr/bin/etcd ] || fail "etcd binary missing after apt install (run: apt-get install -y etcd-server)" tests/infra/kubernetes.sh

# Bump when the build recipe changes so cached binaries from an older recipe are rebuilt.
RECIPE="reflect2-1.0.2+node"
built() {
  local t
  [ "$(cat "$BIN/.recipe" 2>/dev/null)" = "$RECIPE" ] || return 1
  for t in "${TOOLS[@]}"; do "$BIN/$t" --version >/dev/null 2>&1 || return 1; done
}
if built; then ready kube-apiserver cached; exit 0; fi

apt_install golang-go rsync make gcc libc6-dev dpkg-dev golang-github-modern-go-reflect2-dev

# apt-get source needs a deb-src entry; reuse the keyring the system's own sources trust.
SRC_LIST=/etc/apt/sources.list.d/personalize-debian-src.sources
if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat <<'SRC' | as_root tee "$SRC_LIST" >/dev/null
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  PERSONALIZE_APT_UPDATED=0
fi

mkdir -p "$KDIR/src"
SRC=$(find "$KDIR/src" -maxdepth 1 -type d -name 'kubernetes-1.20*' -print -quit)
if [ -z "$SRC" ]; then
  apt_update_once
  (cd "$KDIR/src" && apt-get source -qq kubernetes >/dev/null 2>&1) \
    || fail "apt-get source kubernetes failed (run: cd $KDIR/src && apt-get source kubernetes)" tests/infra/kubernetes.sh
  SRC=$(find "$KDIR/src" -maxdepth 1 -type d -name 'kubernetes-1.20*' -print -quit)
fi

# Kubernetes 1.20 vendors modern-go/reflect2 v1.0.1, whose map iteration segfaults when built with
# Go >= 1.18 (Debian 12 has 1.19): the API server crashes on the first custom resource with a map field.
# v1.0.2 fixes it and is API-compatible; Debian packages it, so swap it into the vendor tree.
REFLECT2=/usr/share/gocode/src/github.com/modern-go/reflect2
[ -f "$REFLECT2/reflect2.go" ] || fail "reflect2 source missing (run: apt-get install -y golang-github-modern-go-reflect2-dev)" tests/infra/kubernetes.sh
rm -rf "$SRC/vendor/github.com/modern-go/reflect2"
mkdir -p "$SRC/vendor/github.com/modern-go/reflect2"
find "$REFLECT2" -maxdepth 1 -type f -name '*.go' ! -name '*_test.go' -exec cp {} "$SRC/vendor/github.com/modern-go/reflect2/" \;
sed -i 's#github.com/modern-go/reflect2 v1.0.1#github.com/modern-go/reflect2 v1.0.2#' "$SRC/go.mod" "$SRC/vendor/modules.txt"

# A build that failed once leaves empty tool binaries in _output that break the next try.
rm -rf "$SRC/_output"
echo "building ${TOOLS[*]} (takes ~10 minutes, log: $KDIR/build.log)" >&2
(
  cd "$SRC"
  # Same environment as the package's debian/rules.
  export GOPATH="$SRC/.go" CGO_ENABLED=0 GOCACHE="$KDIR/gocache" PATH="/usr/lib/go/bin:$PATH"
  mkdir -p .go/src/k8s.io
  [ -L .go/src/k8s.io/kubernetes ] || ln -s ../../.. .go/src/k8s.io/kubernetes
  make WHAT="$(printf 'cmd/%s ' "${TOOLS[@]}")"
) >"$KDIR/build.log" 2>&1 || fail "kubernetes build failed, see $KDIR/build.log" tests/infra/kubernetes.sh

mkdir -p "$BIN"
for t in "${TOOLS[@]}"; do install -m 0755 "$SRC/_output/bin/$t" "$BIN/$t"; done
echo "$RECIPE" >"$BIN/.recipe"
built || fail "built binaries do not run (see $KDIR/build.log)" tests/infra/kubernetes.sh
# The build tree is large and no longer needed; keep the cheap source archives only.
rm -rf "$SRC" "$KDIR/gocache"
ready kube-apiserver built
