# Shared helpers for the tests/infra install scripts; sourced, never run.
# Everything is cached outside the checkout so a machine builds each tool once.
set -euo pipefail

CACHE="${PERSONALIZE_CACHE:-$HOME/.cache/personalize-operator}"
INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$CACHE"

# One line per component, so install-all.sh output stays readable.
ready() { echo "$1: ready${2:+ ($2)}"; }

# Print what failed and the command that retries it, then stop.
fail() {
  echo "ERROR: $1" >&2
  echo "  to retry: bash ${2:-tests/infra/install-all.sh}" >&2
  exit 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    fail "need root (or sudo) for: $*"
  fi
}

# apt-get update at most once per install run (child scripts inherit the flag).
apt_update_once() {
  if [ "${PERSONALIZE_APT_UPDATED:-}" != 1 ]; then
    as_root apt-get update -qq >/dev/null || fail "apt-get update failed (run: apt-get update)"
    export PERSONALIZE_APT_UPDATED=1
  fi
}

# Install only the Debian packages that are missing; silent when all are there.
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_update_once
  echo "installing apt packages: ${missing[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed (run: apt-get install -y ${missing[*]})"
}
