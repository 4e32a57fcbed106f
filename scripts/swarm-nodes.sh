#!/usr/bin/env bash
# A swarm of three Docker engines on this one machine, each its own machine as far as Docker can
# tell: its own network namespace (cl-node-1..3), data root, exec root, socket and cgroup, joined
# by a bridge in a namespace of its own (cl-node-hub) as machines are by a switch. Node 1 is the
# manager, 2 and 3 are workers. The host reaches the nodes at 192.168.231.11..13 (its own address
# there is .1), and the manager's engine also listens on tcp://192.168.231.11:2375: the
# stack is pointed at the manager as at a remote machine (DOCKER_HOST), and the checks reach the
# app at the manager's address. Plain TCP without TLS, on the manager only: only for this private
# bridge (docs/swarm.md says what to use between real machines).
#
# The engine is the system's Docker (Debian bookworm's docker.io, engine 20.10), started once per
# node. Everything of a node (its dockerd, containerd, shims and containers) runs in the pids cgroup
# /cl-node-N, so that `fail N` can stop all of it at once, as a machine that fails does.
#
# Usage: scripts/swarm-nodes.sh up|down|status|fail N|return N|load N|all IMAGE...|socket N|env
#   up          make the namespaces and the bridge, start the three engines, form the swarm (does
#               what is missing; a second `up` only checks)
#   down        leave the swarm, stop the engines, remove the namespaces, the bridge and the data
#   status      each node's engine and its view of the swarm
#   fail N      node N fails: its link goes down and every process of it is killed (SIGKILL)
#   return N    node N comes back: link up, its engine started again on its data; it rejoins
#   load N|all IMAGE...  copies images from the engine at DOCKER_HOST (the default one) into node N
#               or every node, with `docker save | docker load`, which keeps their IDs
#   socket N    the DOCKER_HOST of node N's own socket
#   env         the exports that point a shell at the manager
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STEP=swarm-nodes

NODES="1 2 3"
MANAGER=1
HUB=cl-node-hub
ROOT=${CONTAINER_LINKS_NODES_ROOT:-/var/tmp/container-links-nodes}
PREFIX=192.168.231
HOST_IF=clnode-host
START_BUDGET_S=60
STOP_BUDGET_S=30
JOIN_BUDGET_S=60

usage() { die "usage: scripts/swarm-nodes.sh up|down|status|fail N|return N|load N|all IMAGE...|socket N|env"; }
[ "$(id -u)" = 0 ] || die "network namespaces and cgroups need root"

netns() { echo "cl-node-$1"; }
address() { echo "$PREFIX.$((10 + $1))"; }
node_dir() { echo "$ROOT/node-$1"; }
socket() { echo "$(node_dir "$1")/docker.sock"; }
pidfile() { echo "$(node_dir "$1")/docker.pid"; }
# The pids cgroup (v1, or the unified hierarchy) that holds everything of node $1.
cgroup_dir() {
  if [ -d /sys/fs/cgroup/pids ]; then echo "/sys/fs/cgroup/pids/cl-node-$1"; else echo "/sys/fs/cgroup/cl-node-$1"; fi
}
node_docker() {
  local n=$1
  shift
  DOCKER_HOST=unix://$(socket "$n") timeout 60 docker "$@"
}
answers() { node_docker "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }
has_netns() { ip netns list | grep -qE "^$1( |$)"; }

# The bridge in its own namespace, a veth from it to the host and one to each node.
make_links() {
  if ! has_netns "$HUB"; then
    say "making the bridge (network namespace $HUB) and the host's link to it ($HOST_IF, $PREFIX.1)"
    ip netns add "$HUB"
    ip -n "$HUB" link set lo up
    ip -n "$HUB" link add hub0 type bridge
    ip -n "$HUB" link set hub0 up
  fi
  if ! ip link show "$HOST_IF" >/dev/null 2>&1; then
    ip link add "$HOST_IF" type veth peer name host0 netns "$HUB"
    ip -n "$HUB" link set host0 master hub0 up
    ip addr add "$PREFIX.1/24" dev "$HOST_IF"
    ip link set "$HOST_IF" up
  fi
  local n
  for n in $NODES; do
    if ! has_netns "$(netns "$n")"; then
      ip netns add "$(netns "$n")"
      ip -n "$(netns "$n")" link set lo up
    fi
    if ! ip -n "$HUB" link show "node$n" >/dev/null 2>&1; then
      ip -n "$HUB" link add "node$n" type veth peer name eth0 netns "$(netns "$n")"
      ip -n "$HUB" link set "node$n" master hub0 up
      ip -n "$(netns "$n")" addr add "$(address "$n")/24" dev eth0
      ip -n "$(netns "$n")" link set eth0 up
    fi
  done
}

# Starts node $1's engine in its namespace (scripts/netns.sh mounts what dockerd needs there),
# inside its cgroup; wait_engine waits until it answers. Only the manager listens on TCP.
launch_engine() {
  local n=$1 dir log cg tcp=()
  if answers "$n"; then return; fi
  [ "$n" != "$MANAGER" ] || tcp=(-H "tcp://$(address "$n"):2375" --tls=false)
  dir=$(node_dir "$n")
  log=$LOG_DIR/swarm-node-$n.log
  cg=$(cgroup_dir "$n")
  mkdir -p "$dir" "$LOG_DIR" "$cg"
  echo '{}' >"$dir/daemon.json"
  say "node $n: starting dockerd in $(netns "$n") at $(address "$n") (log: $log)"
  echo "--- $(date -u +%FT%TZ)" >>"$log"
  "$REPO_ROOT/scripts/netns.sh" "$(netns "$n")" bash -c '
    echo $$ >"$1/cgroup.procs"
    shift
    exec setsid nohup "$@" </dev/null
  ' start "$cg" dockerd --config-file "$dir/daemon.json" --pidfile "$(pidfile "$n")" \
    --data-root "$dir/data" --exec-root "$dir/exec" --cgroup-parent "/cl-node-$n" \
    -H "unix://$(socket "$n")" "${tcp[@]}" >>"$log" 2>&1 &
}

wait_engine() {
  local n=$1 log=$LOG_DIR/swarm-node-$1.log
  local deadline=$(($(date +%s) + START_BUDGET_S))
  until answers "$n"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 20 "$log" >&2
      die "node $n: dockerd did not answer within ${START_BUDGET_S}s (log: $log)"
    fi
    sleep 0.3
  done
}

# Every process in node $1's cgroup and the cgroups below it.
node_pids() {
  local cg
  cg=$(cgroup_dir "$1")
  [ -d "$cg" ] || return 0
  find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null || true
}

# Kills every process of node $1 and waits, bounded, until none is left.
kill_node() {
  local n=$1 deadline=$(($(date +%s) + STOP_BUDGET_S)) pids
  while pids=$(node_pids "$n" | paste -sd' ' -) && [ -n "$pids" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "node $n: processes survived SIGKILL for ${STOP_BUDGET_S}s: $pids"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.2
  done
  # The empty cgroups of its containers, deepest first (the engine makes them again).
  find "$(cgroup_dir "$n")" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
}

swarm_state() { node_docker "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown; }

form_swarm() {
  if [ "$(swarm_state "$MANAGER")" != active ]; then
    say "node $MANAGER: docker swarm init --advertise-addr $(address "$MANAGER")"
    node_docker "$MANAGER" swarm init --advertise-addr "$(address "$MANAGER")" >/dev/null
  fi
  local token n
  token=$(node_docker "$MANAGER" swarm join-token --quiet worker)
  for n in $NODES; do
    [ "$n" != "$MANAGER" ] || continue
    [ "$(swarm_state "$n")" != active ] || continue
    say "node $n: docker swarm join $(address "$MANAGER"):2377 (worker)"
    node_docker "$n" swarm join --advertise-addr "$(address "$n")" --token "$token" \
      "$(address "$MANAGER"):2377" >/dev/null
  done
  wait_ready 3
}

# Waits, bounded, until the manager sees $1 nodes Ready.
wait_ready() {
  local want=$1 deadline=$(($(date +%s) + JOIN_BUDGET_S)) ready
  while :; do
    ready=$(node_docker "$MANAGER" node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$' || true)
    [ "$ready" -lt "$want" ] || break
    [ "$(date +%s)" -lt "$deadline" ] || die "the manager sees $ready nodes Ready after ${JOIN_BUDGET_S}s, not $want"
    sleep 0.5
  done
  say "swarm: $ready nodes Ready"
}

up() {
  [ ! -S /run/containerd/containerd.sock ] ||
    die "a system containerd runs (/run/containerd/containerd.sock): the nodes' engines would share it; stop it first"
  make_links
  local n
  for n in $NODES; do launch_engine "$n"; done
  for n in $NODES; do wait_engine "$n"; done
  form_swarm
}

down() {
  local n
  for n in $NODES; do
    if answers "$n"; then
      node_docker "$n" swarm leave --force >/dev/null 2>&1 || true
      local pid
      pid=$(cat "$(pidfile "$n")" 2>/dev/null || true)
      if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
        local deadline=$(($(date +%s) + STOP_BUDGET_S))
        while [ -d "/proc/$pid" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
      fi
    fi
    kill_node "$n"
    rmdir "$(cgroup_dir "$n")" 2>/dev/null || true
    if has_netns "$(netns "$n")"; then ip netns delete "$(netns "$n")"; fi
    # Mounts of the engine's data (overlay layers, netns files) go with its processes.
    rm -rf "$(node_dir "$n")"
  done
  ip link delete "$HOST_IF" 2>/dev/null || true
  if has_netns "$HUB"; then ip netns delete "$HUB"; fi
  say "nodes removed"
}

fail() {
  local n=$1
  [ "$n" != "$MANAGER" ] || say "node $n is the swarm's only manager: the swarm stops scheduling until it returns"
  say "node $n fails: its link goes down, its processes are killed"
  ip -n "$HUB" link set "node$n" down
  kill_node "$n"
}

return_node() {
  local n=$1
  say "node $n returns: link up, its engine started on its data"
  ip -n "$HUB" link set "node$n" up
  launch_engine "$n"
  wait_engine "$n"
}

status() {
  local n
  for n in $NODES; do
    if answers "$n"; then
      say "node $n ($(address "$n")): $(node_docker "$n" info --format 'Docker {{.ServerVersion}}, swarm {{.Swarm.LocalNodeState}}, node {{.Swarm.NodeID}}')"
    else
      say "node $n ($(address "$n")): does not answer"
    fi
  done
  node_docker "$MANAGER" node ls 2>/dev/null || true
}

load() {
  local which=${1:-} tar n targets
  shift || true
  case $which in
    all) targets=$NODES ;;
    *) node_number "$which" && targets=$which ;;
  esac
  [ $# -gt 0 ] || die "name the images to load"
  tar=$(mktemp "${TMPDIR:-/tmp}/swarm-nodes-images.XXXXXX")
  trap 'rm -f "$tar"' RETURN
  docker save -o "$tar" "$@"
  for n in $targets; do
    node_docker "$n" load -q -i "$tar" >/dev/null
  done
  say "loaded into node(s) $(echo $targets | tr ' ' ,): $*"
}

node_number() { case ${1:-} in 1 | 2 | 3) ;; *) die "the node must be 1, 2 or 3, not '${1:-}'" ;; esac; }

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  fail) node_number "${2:-}" && fail "$2" ;;
  return) node_number "${2:-}" && return_node "$2" ;;
  load) shift && load "$@" ;;
  socket) node_number "${2:-}" && echo "unix://$(socket "$2")" ;;
  env) echo "export DOCKER_HOST=tcp://$(address "$MANAGER"):2375" ;;
  *) usage ;;
esac
