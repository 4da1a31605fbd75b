#!/usr/bin/env bash
# Builds a real kube-apiserver + kube-controller-manager (v1.20.2, Debian's source package with
# its vendor tree) into $CACHE/kubernetes/bin, and installs etcd-server. No Docker or kind needed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KDIR="$CACHE/kubernetes"
BIN="$KDIR/bin"
TOOLS=(kube-apiserver kube-controller-manager)

# etcd is started per test run by the fixtures; the Debian daemon must never be needed or left running.
apt_install etcd-server
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  as_root systemctl disable --now etcd >/dev/null 2>&1 || true
elif pgrep -x etcd >/dev/null && [ -x /etc/init.d/etcd ]; then
  as_root /etc/init.d/etcd stop >/dev/null 2>&1 || true
fi
[ -x /usr/bin/etcd ] || fail "etcd binary missing after apt install (run: apt-get install -y etcd-server)" tests/infra/kubernetes.sh

built() { local t; for t in "${TOOLS[@]}"; do "$BIN/$t" --version >/dev/null 2>&1 || return 1; done; }
if built; then ready kube-apiserver cached; exit 0; fi

apt_install golang-go rsync make gcc libc6-dev dpkg-dev

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
SRC=$(find "$KDIR/src" -maxdepth 1 -type d -name 'kubernetes-1.20*' | head -n1)
if [ -z "$SRC" ]; then
  apt_update_once
  (cd "$KDIR/src" && apt-get source -qq kubernetes >/dev/null 2>&1) \
    || fail "apt-get source kubernetes failed (run: cd $KDIR/src && apt-get source kubernetes)" tests/infra/kubernetes.sh
  SRC=$(find "$KDIR/src" -maxdepth 1 -type d -name 'kubernetes-1.20*' | head -n1)
fi

# A build that failed once leaves empty tool binaries in _output that break the next try.
rm -rf "$SRC/_output"
echo "building ${TOOLS[*]} (takes ~4 minutes, log: $KDIR/build.log)" >&2
(
  cd "$SRC"
  # Same environment as the package's debian/rules.
  export GOPATH="$SRC/.go" CGO_ENABLED=0 GOCACHE="$KDIR/gocache" PATH="/usr/lib/go/bin:$PATH"
  mkdir -p .go/src/k8s.io
  [ -L .go/src/k8s.io/kubernetes ] || ln -s ../../.. .go/src/k8s.io/kubernetes
  make WHAT="cmd/kube-apiserver cmd/kube-controller-manager"
) >"$KDIR/build.log" 2>&1 || fail "kubernetes build failed, see $KDIR/build.log" tests/infra/kubernetes.sh

mkdir -p "$BIN"
for t in "${TOOLS[@]}"; do install -m 0755 "$SRC/_output/bin/$t" "$BIN/$t"; done
built || fail "built binaries do not run (see $KDIR/build.log)" tests/infra/kubernetes.sh
# The build tree is large and no longer needed; keep the cheap source archives only.
rm -rf "$SRC" "$KDIR/gocache"
ready kube-apiserver built
