#!/usr/bin/env bash
# Builds the product's container images from the repository's own Dockerfiles, unchanged, with no
# registry and no Docker: Debian's buildah (daemonless, vfs storage, chroot isolation) builds
# operator/Dockerfile, runtime/Dockerfile and trainer/Dockerfile, and writes each as an OCI archive
# that the cluster fixture imports into containerd.
#
# Their FROM images (mcr.microsoft.com/dotnet/...) cannot be pulled here, so stand-ins are tagged
# under the same names: a Debian trixie rootfs from debootstrap (glibc 2.41 and libstdc++ with
# GLIBCXX_3.4.32, which TorchSharp needs; the real images are Ubuntu 24.04) plus this machine's .NET.
# The chiseled stand-in keeps what "chiseled" means to our images: no shell, no package manager,
# non-root user 1654, invariant globalization.
#
# Each archive is named by a hash of its inputs (its Dockerfile, the sources it publishes, the
# stand-in recipe), so a warm run rebuilds nothing unchanged and an edit rebuilds only what it touches.
#
#   bash tests/infra/images.sh          build what is missing; one line per image
#   bash tests/infra/images.sh --list   print "name<TAB>image<TAB>archive" per image; fail if one is not built
#
# trainer/Dockerfile.cuda is not built (its base and libtorch-cuda cannot be reached here):
# tests/Personalize.Chart.Tests checks it statically.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT="$(cd "$INFRA_DIR/../.." && pwd)"
IDIR="$CACHE/images"
STORE=(--root "$IDIR/storage" --runroot "$IDIR/run" --storage-driver vfs)
# Bump a recipe when what it makes changes: that stand-in, and every image built on the stand-ins, is rebuilt.
ROOTFS_RECIPE="trixie-minbase-1"
SDK_RECIPE="$ROOTFS_RECIPE+sdk-2"
RUNTIME_RECIPE="$ROOTFS_RECIPE+runtime-1"
CHISELED_RECIPE="$ROOTFS_RECIPE+chiseled-2"
DOTNET_ROOT_HOST="$(dirname "$(readlink -f "$(command -v dotnet)")")"
# The sources each image publishes: the component's folder plus the shared libraries and build settings.
COMMON=(lib Directory.Build.props Directory.Packages.props global.json .dockerignore)
IMAGES=(operator runtime trainer)
REPOSITORY=ghcr.io/personalize-operator

# Folders besides its own that a component's project references (the operator hosts the gateway).
sources_of() { case $1 in operator) echo "operator gateway" ;; *) echo "$1" ;; esac; }

inputs_hash() { # inputs_hash COMPONENT -> a content hash of everything that image is built from
  local component=$1 sources
  read -r -a sources <<<"$(sources_of "$component")"
  {
    echo "$SDK_RECIPE $RUNTIME_RECIPE $CHISELED_RECIPE $(dotnet --version)"
    cd "$ROOT"
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
      git ls-files -z --cached --others --exclude-standard -- "${COMMON[@]}" "${sources[@]}" | sort -z \
        | while IFS= read -r -d '' f; do [ -f "$f" ] && sha256sum "$f"; done
    else
      find "${COMMON[@]}" "${sources[@]}" -type f ! -path '*/bin/*' ! -path '*/obj/*' -print0 | sort -z | xargs -0 sha256sum
    fi
  } | sha256sum | cut -c1-16
}

archive_of() { echo "$IDIR/$1-$2.tar"; }

if [ "${1:-}" = "--list" ]; then
  for name in "${IMAGES[@]}"; do
    hash=$(inputs_hash "$name")
    archive=$(archive_of "$name" "$hash")
    [ -f "$archive" ] || fail "image $name is not built for this checkout ($archive missing)" tests/infra/images.sh
    printf '%s\t%s\t%s\n' "$name" "$REPOSITORY/$name:$hash" "$archive"
  done
  exit 0
fi

apt_install buildah debootstrap
mkdir -p "$IDIR"
BUILDAH() { buildah "${STORE[@]}" "$@"; }

# --- the stand-in base images ----------------------------------------------------------------------
ROOTFS="$IDIR/rootfs-trixie"
if [ "$(cat "$ROOTFS.recipe" 2>/dev/null)" != "$ROOTFS_RECIPE" ]; then
  rm -rf "$ROOTFS" "$ROOTFS.tmp"
  echo "debootstrap trixie (takes ~3 minutes, log: $IDIR/debootstrap.log)" >&2
  debootstrap --variant=minbase --include=ca-certificates,libicu76,libssl3t64,tzdata \
    trixie "$ROOTFS.tmp" http://deb.debian.org/debian >"$IDIR/debootstrap.log" 2>&1 \
    || fail "debootstrap trixie failed, see $IDIR/debootstrap.log" tests/infra/images.sh
  rm -rf "$ROOTFS.tmp/var/cache/apt/archives"/*.deb "$ROOTFS.tmp/var/lib/apt/lists"/*
  # The user the .NET images define (APP_UID).
  chroot "$ROOTFS.tmp" useradd --uid 1654 --user-group --create-home app
  mv "$ROOTFS.tmp" "$ROOTFS"
  echo "$ROOTFS_RECIPE" >"$ROOTFS.recipe"
fi

# current NAME RECIPE: whether stand-in NAME exists, made by RECIPE (older ones are removed).
current() {
  local made
  made=$(BUILDAH inspect --type image --format '{{index .OCIv1.Config.Labels "personalize.recipe"}}' "$1" 2>/dev/null) || return 1
  [ "$made" = "$2" ] && return 0
  BUILDAH rmi --force "$1" >/dev/null 2>&1 || true
  return 1
}

# standin NAME RECIPE DIR [config...]: commits DIR's contents as image NAME.
standin() {
  local name=$1 recipe=$2 dir=$3 ctr mnt
  shift 3
  ctr=$(BUILDAH from scratch)
  mnt=$(BUILDAH mount "$ctr")
  cp -a "$dir/." "$mnt/"
  BUILDAH umount "$ctr" >/dev/null
  BUILDAH config --label "personalize.recipe=$recipe" "$@" "$ctr"
  BUILDAH commit --quiet --rm "$ctr" "$name" >/dev/null
}

# with_dotnet DEST PARTS...: the rootfs plus the named parts of this machine's .NET at /usr/share/dotnet.
with_dotnet() {
  local dest=$1 part
  shift
  rm -rf "$dest" && mkdir -p "$dest/usr/share/dotnet" "$dest/usr/bin"
  cp -a "$ROOTFS/." "$dest/"
  cp -a "$DOTNET_ROOT_HOST/dotnet" "$DOTNET_ROOT_HOST/host" "$dest/usr/share/dotnet/"
  for part in "$@"; do
    mkdir -p "$dest/usr/share/dotnet/$(dirname "$part")"
    cp -a "$DOTNET_ROOT_HOST/$part" "$dest/usr/share/dotnet/$part"
  done
  ln -sf /usr/share/dotnet/dotnet "$dest/usr/bin/dotnet"
}

ENV_DOTNET=(--env APP_UID=1654 --env DOTNET_RUNNING_IN_CONTAINER=true --env DOTNET_VERSION="$(dotnet --list-runtimes | awk '/NETCore.App/ {print $2; exit}')")
if ! current mcr.microsoft.com/dotnet/sdk:10.0 "$SDK_RECIPE"; then
  with_dotnet "$IDIR/sdk.tmp" shared sdk sdk-manifests packs templates
  # The build stage restores from NuGet through this machine's network: trust the CAs this machine trusts (an
  # egress proxy may re-sign TLS), and keep its certificate revocation setting.
  cp -L /etc/ssl/certs/ca-certificates.crt "$IDIR/sdk.tmp/etc/ssl/certs/ca-certificates.crt"
  sdk_env=(--env DOTNET_CLI_TELEMETRY_OPTOUT=1 --env DOTNET_NOLOGO=1)
  [ -n "${NUGET_CERT_REVOCATION_MODE:-}" ] && sdk_env+=(--env "NUGET_CERT_REVOCATION_MODE=$NUGET_CERT_REVOCATION_MODE")
  standin mcr.microsoft.com/dotnet/sdk:10.0 "$SDK_RECIPE" "$IDIR/sdk.tmp" "${ENV_DOTNET[@]}" "${sdk_env[@]}"
  rm -rf "$IDIR/sdk.tmp"
fi
if ! current mcr.microsoft.com/dotnet/runtime:10.0 "$RUNTIME_RECIPE"; then
  with_dotnet "$IDIR/runtime.tmp" shared/Microsoft.NETCore.App
  standin mcr.microsoft.com/dotnet/runtime:10.0 "$RUNTIME_RECIPE" "$IDIR/runtime.tmp" "${ENV_DOTNET[@]}"
  rm -rf "$IDIR/runtime.tmp"
fi
if ! current mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled "$CHISELED_RECIPE"; then
  # Chiseled: only what a .NET app loads (libc, libstdc++, OpenSSL, zlib, CA certificates, time zones),
  # no shell, no package manager; passwd and group know root and app.
  d="$IDIR/chiseled.tmp"
  rm -rf "$d" && mkdir -p "$d/usr/lib/x86_64-linux-gnu" "$d/usr/lib64" "$d/etc/ssl/certs" "$d/usr/share" "$d/tmp" "$d/home/app" "$d/usr/bin"
  chmod 1777 "$d/tmp"
  for link in lib lib64 bin sbin; do [ -L "$ROOTFS/$link" ] && cp -a "$ROOTFS/$link" "$d/$link"; done
  # The libraries .NET loads (OpenSSL dlopened by System.Security.Cryptography), with everything they link.
  roots=(libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libgcc_s.so.1 libstdc++.so.6 libssl.so.3 libcrypto.so.3 libz.so.1)
  for lib in $(chroot "$ROOTFS" ldd "${roots[@]/#//usr/lib/x86_64-linux-gnu/}" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $1 !~ /:$/ {print $1}' | sort -u) \
    "${roots[@]/#//usr/lib/x86_64-linux-gnu/}"; do
    mkdir -p "$d$(dirname "$lib")"
    cp -L "$ROOTFS$lib" "$d$lib"
  done
  cp -aL "$ROOTFS/etc/ssl/certs/ca-certificates.crt" "$d/etc/ssl/certs/"
  cp -a "$ROOTFS/usr/share/zoneinfo" "$d/usr/share/"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1654:1654:app:/home/app:/usr/sbin/nologin\n' >"$d/etc/passwd"
  printf 'root:x:0:\napp:x:1654:\n' >"$d/etc/group"
  chown 1654:1654 "$d/home/app"
  mkdir -p "$d/usr/share/dotnet/shared"
  cp -a "$DOTNET_ROOT_HOST/dotnet" "$DOTNET_ROOT_HOST/host" "$d/usr/share/dotnet/"
  cp -a "$DOTNET_ROOT_HOST/shared/Microsoft.NETCore.App" "$DOTNET_ROOT_HOST/shared/Microsoft.AspNetCore.App" "$d/usr/share/dotnet/shared/"
  ln -s /usr/share/dotnet/dotnet "$d/usr/bin/dotnet"
  standin mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled "$CHISELED_RECIPE" "$d" "${ENV_DOTNET[@]}" \
    --env ASPNETCORE_HTTP_PORTS=8080 --env DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true --env PATH=/usr/bin \
    --user 1654
  rm -rf "$d"
fi
ready dotnet-standins "sdk, runtime, aspnet-chiseled on debian trixie + .NET $(dotnet --version)"

# --- our images, from the real Dockerfiles ---------------------------------------------------------
for name in "${IMAGES[@]}"; do
  hash=$(inputs_hash "$name")
  archive=$(archive_of "$name" "$hash")
  image="$REPOSITORY/$name:$hash"
  if [ -f "$archive" ]; then ready "image $name" "cached, $image"; continue; fi
  log="$IDIR/build-$name.log"
  echo "building $image from $name/Dockerfile (log: $log)" >&2
  # Host networking lets restore reach NuGet; the machine's package cache saves the download.
  mkdir -p "$HOME/.nuget/packages"
  BUILDAH bud --pull=never --network host --isolation chroot --layers=false \
    --volume "$HOME/.nuget/packages:/root/.nuget/packages" \
    -f "$ROOT/$name/Dockerfile" -t "$image" "$ROOT" >"$log" 2>&1 <&- \
    || fail "buildah bud $name/Dockerfile failed, see $log" tests/infra/images.sh
  rm -f "$IDIR/$name"-*.tar
  BUILDAH push --quiet "$image" "oci-archive:$archive.tmp:$image" >>"$log" 2>&1 \
    || fail "buildah push $image failed, see $log" tests/infra/images.sh
  mv "$archive.tmp" "$archive"
  # The archive is what the cluster uses; the build's copy only takes space.
  BUILDAH rmi "$image" >/dev/null 2>&1 || true
  ready "image $name" "built, $image, $(du -m "$archive" | cut -f1) MB"
done
