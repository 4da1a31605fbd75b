#!/usr/bin/env bash
# Installs s3rver (a real S3 HTTP server on node) into $CACHE/s3rver and fixes its XML namespace:
# s3rver answers listings in "http://doc.s3.amazonaws.com/2006-03-01/", which the Minio SDK
# silently treats as empty; real S3 uses "http://s3.amazonaws.com/doc/2006-03-01/".
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VERSION=3.7.1
DIR="$CACHE/s3rver"
PKG="$DIR/node_modules/s3rver"
BAD='http://doc.s3.amazonaws.com/2006-03-01/'
GOOD='http://s3.amazonaws.com/doc/2006-03-01/'

command -v node >/dev/null || apt_install nodejs
command -v npm >/dev/null || apt_install npm

installed_version() { node -p "require('$PKG/package.json').version" 2>/dev/null || true; }
status=cached
if [ "$(installed_version)" != "$VERSION" ]; then
  mkdir -p "$DIR"
  npm install --prefix "$DIR" --no-audit --no-fund --silent "s3rver@$VERSION" >/dev/null 2>&1 \
    || fail "npm install s3rver failed (run: npm install --prefix $DIR s3rver@$VERSION)" tests/infra/s3rver.sh
  status=installed
fi

if grep -rqF "$BAD" "$PKG/lib"; then
  grep -rlF "$BAD" "$PKG/lib" | xargs sed -i "s#$BAD#$GOOD#g"
  status="$status, namespace fixed"
fi
grep -rqF "$BAD" "$PKG/lib" && fail "s3rver namespace fix did not apply in $PKG/lib" tests/infra/s3rver.sh
grep -rqF "$GOOD" "$PKG/lib" || fail "s3rver has no S3 namespace in $PKG/lib; unexpected version?" tests/infra/s3rver.sh
[ -f "$PKG/bin/s3rver.js" ] || fail "s3rver entry point missing: $PKG/bin/s3rver.js" tests/infra/s3rver.sh
ready s3rver "$status"
