#!/usr/bin/env bash
# Installs every tool the tests need (idempotent; one line per component). Cache: $PERSONALIZE_CACHE
# or ~/.cache/personalize-operator.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

apt_install patchelf unzip ca-certificates
# kubectl ships with the machine image; Debian's own client (v1.20) is the fallback.
command -v kubectl >/dev/null || apt_install kubernetes-client
ready kubectl "$(kubectl version --client 2>/dev/null | awk 'NR == 1 {print $3}')"

# node.sh and images.sh: the real node of tests/Personalize.Cluster.Tests, and the product's images built from
# this checkout's Dockerfiles (rebuilt only when their inputs change).
for script in kubernetes.sh s3rver.sh helm.sh torch-compat.sh chromium.sh node.sh images.sh; do
  bash "$INFRA_DIR/$script" || fail "$script failed" "tests/infra/$script"
done
