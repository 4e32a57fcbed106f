#!/usr/bin/env bash
# Makes sure the images the stack runs by default exist locally: present, else pulled where a
# registry answers, else built as stand-ins from Debian's packages (mmdebstrap on the host, then
# `docker import` and `docker build`; nothing inside a container needs the network). The names are
# the config defaults in Pulumi.yaml (redisImage, nodeImage, probeImage).
# Usage: scripts/images.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ $# -eq 0 ] || die "usage: scripts/images.sh"

mkdir -p "$LOG_DIR" "$CACHE_DIR/images"
config_default() {
  node "$REPO_ROOT/scripts/config-default.js" "$1" 2>>"$LOG_DIR/images.log" ||
    die "cannot read the default of $1 from Pulumi.yaml (npm packages installed? log: $LOG_DIR/images.log)"
}
redis_image=$(config_default redisImage)
node_image=$(config_default nodeImage)
probe_image=$(config_default probeImage)
packages=redis-server,redis-tools,nodejs,busybox-static
base_key=$(echo "$DEBIAN_SUITE $packages" | sha256sum | cut -c1-12)
base_image="container-links/debian-base:$DEBIAN_SUITE-$base_key"
rootfs="$CACHE_DIR/images/rootfs-$DEBIAN_SUITE-$base_key.tar"

apt_sources() {
  local f
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
    [ -s "$f" ] && { echo "$f"; return; }
  done
  die "no apt sources found for mmdebstrap"
}

ensure_base() {
  docker image inspect "$base_image" >/dev/null 2>&1 && return
  if [ ! -s "$rootfs" ]; then
    if ! command -v mmdebstrap >/dev/null 2>&1; then
      [ "$(id -u)" = 0 ] || die "mmdebstrap is needed to build images here: apt-get install mmdebstrap"
      say "images: installing mmdebstrap from Debian's packages"
      apt_install mmdebstrap
    fi
    say "images: building a Debian $DEBIAN_SUITE root file system with $packages (about a minute)"
    mmdebstrap --variant=minbase --include="$packages" \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      "$DEBIAN_SUITE" "$rootfs.partial.tar" "$(apt_sources)" >"$LOG_DIR/mmdebstrap.log" 2>&1 ||
      die "mmdebstrap failed (log: $LOG_DIR/mmdebstrap.log)"
    mv "$rootfs.partial.tar" "$rootfs"
  fi
  say "images: importing $base_image"
  docker import --change 'CMD ["bash"]' "$rootfs" "$base_image" >/dev/null
}

package_version() {
  docker run --rm "$base_image" dpkg-query -W -f '${Version}' "$1" | sed -E 's/^[0-9]+://; s/[-+~].*$//'
}

build_standin() {
  local kind=$1 name=$2
  ensure_base
  local context="$REPO_ROOT/images/$kind"
  local args=(--build-arg "BASE=$base_image")
  case $kind in
    redis) args+=(--build-arg "REDIS_VERSION=$(package_version redis-server)") ;;
    node) args+=(--build-arg "NODE_VERSION=$(package_version nodejs)") ;;
    busybox)
      context=$(mktemp -d)
      cp "$REPO_ROOT/images/busybox/Dockerfile" "$context/"
      tar -xOf "$rootfs" ./usr/bin/busybox >"$context/busybox"
      chmod 755 "$context/busybox"
      ;;
  esac
  say "images: building $name from Debian's packages"
  DOCKER_BUILDKIT=0 docker build -q "${args[@]}" -t "$name" "$context" >>"$LOG_DIR/images.log" 2>&1 ||
    die "building $name failed (log: $LOG_DIR/images.log)"
  [ "$kind" != busybox ] || rm -rf "$context"
}

ensure_image() {
  local kind=$1 name=$2
  if docker image inspect "$name" >/dev/null 2>&1; then
    local origin=official
    [ "$(docker image inspect -f '{{index .Config.Labels "container-links.local-build"}}' "$name")" = true ] &&
      origin="stand-in built from Debian's packages"
    say "images: $name present ($origin)"
  elif downloads_allowed && timeout 300 docker pull -q "$name" >>"$LOG_DIR/images.log" 2>&1; then
    say "images: $name pulled from a registry"
  else
    build_standin "$kind" "$name"
  fi
}

ensure_image redis "$redis_image"
ensure_image node "$node_image"
ensure_image busybox "$probe_image"
