#!/usr/bin/env bash
# Runs a command in a network namespace of its own (made when missing, loopback up), where a Docker
# engine has its own docker0, iptables chains and published ports beside the host's: CI runs each
# engine but the default one that way. `ip netns exec` mounts a fresh /sys, which hides the cgroup
# hierarchies a Docker engine needs; they are mounted again there, as they are here. The namespace
# has no route out, so anything that downloads must run before. --delete removes a namespace once
# nothing runs in it. The standard Docker socket is hidden inside (engines there need
# CONTAINER_LINKS_ENGINE_ROOT). Usage: scripts/netns.sh NAME command [args...] | scripts/netns.sh --delete NAME
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -ge 2 ] || die "usage: scripts/netns.sh NAME command [args...] | scripts/netns.sh --delete NAME"
[ "$(id -u)" = 0 ] || die "network namespaces need root"

if [ "$1" = --delete ]; then
  name=$2
  ip netns list | grep -qE "^$name( |$)" || exit 0
  pids=$(ip netns pids "$name" | paste -sd' ' -)
  [ -z "$pids" ] || die "processes still run in network namespace $name: $pids (stop its engine first)"
  ip netns delete "$name"
  exit 0
fi

name=$1
shift
if ! ip netns list | grep -qE "^$name( |$)"; then
  ip netns add "$name"
  ip -n "$name" link set lo up
fi
# "<mount point> <type> <super options>" of every cgroup mount here (the type follows the " - ").
cgroups=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) ~ /^cgroup2?$/) print $5, $(i+1), $(i+3); break } }' \
  /proc/self/mountinfo)
# shellcheck disable=SC2016
exec ip netns exec "$name" bash -c '
  set -euo pipefail
  if [ -n "$1" ] && ! mountpoint -q /sys/fs/cgroup; then
    mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
  fi
  while read -r target type options; do
    [ -n "$target" ] && ! mountpoint -q "$target" || continue
    mkdir -p "$target"
    if [ "$type" = cgroup2 ]; then
      mount -t cgroup2 cgroup2 "$target"
    else
      mount -t cgroup -o "$(tr , "\n" <<<"$options" | grep -vxE "rw|ro" | paste -sd, -)" cgroup "$target"
    fi
  done <<<"$1"
  # The standard socket belongs to the engine outside: hidden here, a docker command that was not
  # pointed at the engine in this namespace fails instead of reaching that one.
  if [ -S /run/docker.sock ]; then mount --bind /dev/null /run/docker.sock; fi
  shift
  exec "$@"
' netns-cgroups "$cgroups" "$@"
