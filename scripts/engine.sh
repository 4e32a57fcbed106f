#!/usr/bin/env bash
# The Docker engines the project is tested on, provided and switched one at a time per network
# namespace (they all want docker0 and the same iptables chains):
#   20.10  the system's Docker: Debian bookworm's docker.io, standard socket and data root
#   28     Docker 28.5.2: Debian unstable's docker.io, containerd, docker-init and buildx, unpacked
#          into the cache with mmdebstrap (they run on bookworm's glibc), and runc built here
#   29     a 29-class engine: dockerd and docker-proxy of moby v2 built from Go modules, runc built
#          here, the 28 set's containerd, docker-init, docker CLI (API 1.51) and buildx; it refuses
#          clients older than API 1.44, as Docker 29.0 does
# Binaries are cached under $CACHE_DIR/engines (a second setup takes a second); logs in $LOG_DIR.
# An engine started here writes its pidfile under $ENGINE_ROOT/run/container-links/<engine>, and
# only such engines are ever stopped: any other dockerd in this network namespace stops a start.
#
# Usage: scripts/engine.sh setup|start|stop|status|env|check [20.10|28|29]
#   setup E   provide E's binaries (needs the package registries; starts nothing)
#   start E   setup; stop the other engine started here; remove what it left that E would collide
#             with (bridges, Docker's iptables chains), saying each; start E and wait until it
#             answers. Nothing to do when E already answers.
#   stop [E]  stop E (without E: every engine started here)
#   status    which engines answer, which dockerd runs here, and stale bridges
#   env E     the exports that point a shell at E: eval "$(scripts/engine.sh env 29)"
#   check     warn about bridges here that no running engine owns (read-only)
# CONTAINER_LINKS_ENGINE_ROOT moves every run-time path under a prefix (see scripts/lib.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { die "usage: scripts/engine.sh setup|start|stop|status|env|check [20.10|28|29]"; }
need_engine() { engine_known "${1:-}" || die "the engine must be 20.10, 28 or 29, not '${1:-}'"; }

ENGINES_DIR=$CACHE_DIR/engines
DEBIAN_ROOT=$ENGINES_DIR/debian-$ENGINE_DEBIAN_SUITE-docker-$ENGINE_28_VERSION
RUNC_DIR=$ENGINES_DIR/runc-$RUNC_VERSION
STOP_BUDGET_S=90
START_BUDGET_S=60

# ---------------------------------------------------------------------------------------------
# setup
# ---------------------------------------------------------------------------------------------

ensure_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" = 0 ] || die "needs Debian packages ${missing[*]}: apt-get install ${missing[*]}"
  say "installing ${missing[*]} from Debian's packages"
  apt_install "${missing[@]}"
}

# The URI of the Debian archive this machine's apt uses (for the unstable suite next to it).
debian_archive() {
  local uri
  uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v -- -security | head -n1)
  [ -n "$uri" ] || uri=$(grep -hsE '^deb +(\[[^]]*\] +)?[a-z]+://' /etc/apt/sources.list |
    sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{print $1}' | grep -v -- -security | head -n1)
  [ -n "$uri" ] || die "found no Debian archive in the apt sources"
  echo "$uri"
}

# Debian unstable's Docker 28 set, unpacked into the cache (its Release file is past its validity
# date, so validity is not checked); the version of docker.io must be the pinned one.
setup_debian_set() {
  if [ ! -e "$DEBIAN_ROOT/.complete" ]; then
    ensure_packages mmdebstrap
    local log=$LOG_DIR/engine-debian-$ENGINE_DEBIAN_SUITE.log
    say "engine 28: unpacking Debian $ENGINE_DEBIAN_SUITE's docker.io, docker-cli, containerd, docker-buildx (about a minute; log: $log)"
    rm -rf "$DEBIAN_ROOT.partial"
    mmdebstrap --variant=apt --include=docker.io,docker-cli,containerd,tini,docker-buildx \
      --aptopt='Acquire::Check-Valid-Until "false"' \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
      "$ENGINE_DEBIAN_SUITE" "$DEBIAN_ROOT.partial" \
      "deb [check-valid-until=no] $(debian_archive) $ENGINE_DEBIAN_SUITE main" >"$log" 2>&1 ||
      die "mmdebstrap failed (log: $log)"
    local version
    version=$(dpkg-query --admindir="$DEBIAN_ROOT.partial/var/lib/dpkg" -W -f '${Version}' docker.io)
    case $version in
      "$ENGINE_28_VERSION"+* | "$ENGINE_28_VERSION"-*) ;;
      *) die "Debian $ENGINE_DEBIAN_SUITE now has docker.io $version, not $ENGINE_28_VERSION: update ENGINE_28_VERSION in toolchain/versions.env and test it" ;;
    esac
    rm -rf "$DEBIAN_ROOT"
    mv "$DEBIAN_ROOT.partial" "$DEBIAN_ROOT"
    touch "$DEBIAN_ROOT/.complete"
  fi
}

# A file of the unpacked Debian set by name (where Debian puts it varies between packages).
debian_file() {
  local found
  found=$(find "$DEBIAN_ROOT"/usr/{bin,sbin,libexec,lib/docker} -name "$1" \( -type f -o -type l \) \
    2>/dev/null | head -n1)
  [ -n "$found" ] || die "no $1 in $DEBIAN_ROOT"
  echo "$found"
}

# runc from its Go module, with seccomp (cgo and libseccomp). Its go.mod replaces go-selinux with a
# folder that the module's zip leaves out: that replace is dropped (the upstream go-selinux is used)
# and so is the vendor folder.
setup_runc() {
  [ -x "$RUNC_DIR/runc" ] && return
  ensure_packages libseccomp-dev pkg-config
  command -v go >/dev/null 2>&1 || die "Go is needed to build runc: install Go 1.25 or newer"
  local log=$LOG_DIR/engine-runc.log work=$ENGINES_DIR/build/runc
  say "runc $RUNC_VERSION: building from Go modules (log: $log)"
  (
    src=$(go mod download -json "$RUNC_MODULE@$RUNC_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    [ -n "$src" ] || exit 1
    rm -rf "$work" && mkdir -p "$work" && cp -r "$src/." "$work" && chmod -R u+w "$work"
    cd "$work"
    rm -rf vendor
    go mod edit -dropreplace github.com/opencontainers/selinux
    go mod tidy
    CGO_ENABLED=1 go build -trimpath -tags seccomp -o "$RUNC_DIR/runc.tmp" \
      -ldflags "-X main.version=${RUNC_VERSION#v}" .
  ) >"$log" 2>&1 || die "building runc failed (log: $log)"
  mv "$RUNC_DIR/runc.tmp" "$RUNC_DIR/runc"
  rm -rf "$work"
  say "runc $RUNC_VERSION: $("$RUNC_DIR/runc" --version | head -n1)"
}

# dockerd and docker-proxy of moby v2 (about 5 minutes on 2 cores, once).
setup_moby() {
  local out=$ENGINES_DIR/moby-$ENGINE_29_VERSION
  [ -x "$out/dockerd" ] && [ -x "$out/docker-proxy" ] && return
  command -v go >/dev/null 2>&1 || die "Go is needed to build the 29-class engine: install Go 1.25 or newer"
  local log=$LOG_DIR/engine-moby.log
  say "engine 29: building dockerd $ENGINE_29_VERSION from Go modules (about 5 minutes on 2 cores; log: $log)"
  mkdir -p "$out.tmp"
  GOBIN=$out.tmp go install -trimpath \
    -ldflags "-X $ENGINE_29_MODULE/dockerversion.Version=$ENGINE_29_VERSION" \
    "$ENGINE_29_MODULE/cmd/dockerd@$ENGINE_29_VERSION" \
    "$ENGINE_29_MODULE/cmd/docker-proxy@$ENGINE_29_VERSION" >"$log" 2>&1 ||
    die "building dockerd failed (log: $log)"
  rm -rf "$out"
  mv "$out.tmp" "$out"
}

# link NAME TARGET into engine $engine's bin folder.
link_bin() { ln -sfn "$2" "$(engine_bin "$engine")/$1"; }

setup() {
  local engine=$1
  mkdir -p "$LOG_DIR" "$ENGINES_DIR"
  case $engine in
    20.10)
      if ! command -v dockerd >/dev/null 2>&1; then
        [ -f /etc/debian_version ] || die "engine 20.10 is Debian bookworm's docker.io: this is not Debian"
        ensure_packages docker.io
      fi
      local version
      version=$(dockerd --version)
      case $version in
        "Docker version 20.10."*) say "engine 20.10: $version (the system's)" ;;
        *) die "engine 20.10 is Debian bookworm's docker.io, but the system's dockerd is: $version" ;;
      esac
      return
      ;;
  esac
  ensure_packages iptables
  setup_debian_set
  setup_runc
  [ "$engine" = 29 ] && setup_moby
  mkdir -p "$(engine_bin "$engine")" "$(engine_docker_config "$engine")/cli-plugins"
  local name
  for name in containerd containerd-shim-runc-v2 docker-init docker; do
    link_bin "$name" "$(debian_file "$name")"
  done
  ln -sfn "$(debian_file docker-buildx)" "$(engine_docker_config "$engine")/cli-plugins/docker-buildx"
  link_bin runc "$RUNC_DIR/runc"
  if [ "$engine" = 28 ]; then
    link_bin dockerd "$(debian_file dockerd)"
    link_bin docker-proxy "$(debian_file docker-proxy)"
  else
    link_bin dockerd "$ENGINES_DIR/moby-$ENGINE_29_VERSION/dockerd"
    link_bin docker-proxy "$ENGINES_DIR/moby-$ENGINE_29_VERSION/docker-proxy"
  fi
  say "engine $engine: $("$(engine_bin "$engine")/dockerd" --version) in $(engine_bin "$engine")"
}

# ---------------------------------------------------------------------------------------------
# what runs here
# ---------------------------------------------------------------------------------------------

# Where engine $1 keeps its data (images, containers, volumes) and its run-time state; the system's
# 20.10 where a system's engine does.
engine_data_root() {
  case $1 in
    20.10) echo "$ENGINE_ROOT/var/lib/docker" ;;
    *) echo "$ENGINE_ROOT/var/lib/container-links/$1" ;;
  esac
}
engine_exec_root() {
  case $1 in
    20.10) echo "$ENGINE_ROOT/var/run/docker" ;;
    *) echo "$(engine_run_dir "$1")/exec" ;;
  esac
}

my_netns=$(readlink /proc/self/ns/net)
in_this_netns() { [ "$(readlink "/proc/$1/ns/net" 2>/dev/null)" = "$my_netns" ]; }
is_dockerd() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = dockerd ]; }

# The pid of engine $1 when this script started it and it runs in this network namespace.
own_pid() {
  local pidfile pid
  pidfile="$(engine_run_dir "$1")/docker.pid"
  [ -s "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  is_dockerd "$pid" && in_this_netns "$pid" && echo "$pid"
}

# dockerd processes in this network namespace.
dockerds_here() {
  local pid
  for pid in $(pgrep -x dockerd || true); do
    if in_this_netns "$pid"; then echo "$pid"; fi
  done
}

# dockerd processes in this network namespace that this script did not start.
foreign_dockerds() {
  local ours=" " engine pid
  for engine in $ENGINES; do
    pid=$(own_pid "$engine") && ours+="$pid "
  done
  for pid in $(dockerds_here); do
    if [[ $ours != *" $pid "* ]]; then echo "$pid"; fi
  done
}

# The docker CLI for engine $1, at its socket.
engine_docker() {
  local engine=$1
  shift
  if [ "$engine" = 20.10 ]; then
    DOCKER_HOST=unix://$(engine_socket "$engine") docker "$@"
  else
    PATH=$(engine_bin "$engine"):$PATH DOCKER_CONFIG=$(engine_docker_config "$engine") \
      DOCKER_HOST=unix://$(engine_socket "$engine") docker "$@"
  fi
}
answers() { engine_docker "$1" version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# stop, clean, start
# ---------------------------------------------------------------------------------------------

wait_gone() {
  local pid=$1 deadline=$(($(date +%s) + $2))
  while [ -d "/proc/$pid" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

stop_engine() {
  local engine=$1 pid
  pid=$(own_pid "$engine") || return 0
  say "engine $engine: stopping dockerd (pid $pid; it stops its containers first)"
  kill -TERM "$pid"
  if ! wait_gone "$pid" "$STOP_BUDGET_S"; then
    say "engine $engine: dockerd did not stop within ${STOP_BUDGET_S}s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || die "dockerd (pid $pid) survived SIGKILL"
  fi
  # The containerd it supervised stops with it; after a kill it may not have.
  local containerd_pid
  containerd_pid=$(cat "$(engine_exec_root "$engine")/containerd/containerd.pid" 2>/dev/null || true)
  if [ -n "$containerd_pid" ] && [ "$(cat "/proc/$containerd_pid/comm" 2>/dev/null)" = containerd ]; then
    kill -TERM "$containerd_pid" 2>/dev/null || true
    wait_gone "$containerd_pid" 30 || kill -KILL "$containerd_pid" 2>/dev/null || true
  fi
  say "engine $engine: stopped"
}

# Bridges an engine made: docker0, docker_gwbridge and one br-<network id> per user-defined network.
docker_bridges() {
  ip -o link show type bridge | awk -F': ' '{print $2}' | cut -d@ -f1 |
    grep -E '^(docker0|docker_gwbridge|br-[0-9a-f]{12})$' || true
}
bridge_subnets() { ip -4 -o addr show dev "$1" | awk '{print $4}' | paste -sd, -; }

# Removes, with no dockerd left in this network namespace, what a stopped engine leaves that the
# next one would collide with: its bridges (a stale bridge with the subnet of a new network takes
# that network's traffic) and Docker's iptables chains and rules. DOCKER-USER is the user's: kept.
clean_collisions() {
  local bridge subnets
  for bridge in $(docker_bridges); do
    subnets=$(bridge_subnets "$bridge")
    say "removing bridge $bridge (${subnets:-no address}) left by a stopped engine: while it exists, a network with that subnet passes no traffic between its containers"
    ip link delete "$bridge"
  done
  local tool table saved kept
  for tool in iptables ip6tables; do
    command -v "$tool-save" >/dev/null 2>&1 || continue
    for table in filter nat raw mangle; do
      saved=$("$tool-save" -t "$table" 2>/dev/null | grep -v '^#') || continue
      [ -n "$saved" ] || continue
      kept=$(printf '%s\n' "$saved" | awk '
        /^:DOCKER-USER / || /^-A DOCKER-USER / || / -j DOCKER-USER( |$)/ { print; next }
        /^:DOCKER/ || /^-A DOCKER/ || / -j DOCKER/ { next }
        / (-i|-o) (docker0|docker_gwbridge|br-[0-9a-f]+)( |$)/ { next }
        { print }')
      [ "$kept" != "$saved" ] || continue
      say "removing Docker's $tool chains and rules from table $table (DOCKER-USER kept)"
      printf '%s\n' "$kept" | "$tool-restore" || die "$tool-restore of table $table failed"
    done
  done
}

start() {
  local engine=$1 pid version
  setup "$engine"
  if version=$(answers "$engine"); then
    if pid=$(own_pid "$engine"); then
      say "engine $engine: Docker $version answers at unix://$(engine_socket "$engine") (pid $pid)"
      return
    fi
    [ "$engine" = 20.10 ] || die "something else answers at unix://$(engine_socket "$engine")"
    say "engine 20.10: Docker $version answers at unix://$(engine_socket 20.10) (started elsewhere; used as it is)"
    return
  fi
  # What would stop the switch is found before anything is stopped.
  local foreign
  foreign=$(foreign_dockerds | paste -sd' ' -)
  [ -z "$foreign" ] ||
    die "dockerd (pid $foreign) runs in this network namespace and was not started by this script; engine $engine would share docker0 and the iptables chains with it: stop it first (systemctl stop docker.socket docker, or kill $foreign)"
  if [ "$engine" != 20.10 ] && [ -S /run/containerd/containerd.sock ]; then
    die "a system containerd runs (/run/containerd/containerd.sock): dockerd $engine would use it instead of its own; stop it first (systemctl stop containerd)"
  fi
  local other
  for other in $ENGINES; do stop_engine "$other"; done
  clean_collisions
  launch "$engine"
}

launch() {
  local engine=$1 run log dockerd
  run=$(engine_run_dir "$engine")
  log=$LOG_DIR/dockerd-$engine.log
  [ -n "$ENGINE_ROOT" ] && log=$LOG_DIR/dockerd-$engine-$(echo "$ENGINE_ROOT" | tr / _).log
  mkdir -p "$run"
  local args=(--pidfile "$run/docker.pid" -H "unix://$(engine_socket "$engine")"
    --data-root "$(engine_data_root "$engine")" --exec-root "$(engine_exec_root "$engine")")
  local env=(PATH="$PATH")
  if [ "$engine" = 20.10 ]; then
    dockerd=$(command -v dockerd)
    # Only a relocated 20.10 needs its own config: the system's reads the system's daemon.json.
    if [ -n "$ENGINE_ROOT" ]; then
      echo '{}' >"$run/daemon.json"
      args+=(--config-file "$run/daemon.json")
    fi
  else
    local bin
    bin=$(engine_bin "$engine")
    dockerd=$bin/dockerd
    echo '{}' >"$run/daemon.json"
    args+=(--config-file "$run/daemon.json" --userland-proxy-path "$bin/docker-proxy"
      --init-path "$bin/docker-init")
    env=(PATH="$bin:$PATH")
    [ "$engine" = 29 ] && env+=(DOCKER_MIN_API_VERSION=1.44)
  fi
  mkdir -p "$(dirname "$(engine_socket "$engine")")"
  say "engine $engine: starting $dockerd (log: $log)"
  echo "--- $(date -u +%FT%TZ) ${args[*]}" >>"$log"
  env "${env[@]}" setsid nohup "$dockerd" "${args[@]}" >>"$log" 2>&1 </dev/null &
  local deadline=$(($(date +%s) + START_BUDGET_S)) version
  until version=$(answers "$engine"); do
    if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 $! 2>/dev/null; then
      tail -n 20 "$log" >&2
      die "engine $engine exited, or did not answer within ${START_BUDGET_S}s (log: $log)"
    fi
    sleep 0.5
  done
  say "engine $engine: Docker $version answers at unix://$(engine_socket "$engine")"
  check "$engine"
}

# ---------------------------------------------------------------------------------------------
# status, env, check
# ---------------------------------------------------------------------------------------------

# Warns about br-<id> bridges in this network namespace that are no network of the engine running
# here: left by another engine (or a killed one), they take the traffic of any network with an
# overlapping subnet. Only meaningful with exactly one dockerd here: the one at DOCKER_HOST, or
# engine $1 when given.
check() {
  local engine=${1:-}
  local dockerds
  dockerds=$(dockerds_here | wc -l)
  if [ "$dockerds" -ne 1 ]; then
    local stale
    stale=$(docker_bridges | paste -sd' ' -)
    if [ "$dockerds" -eq 0 ] && [ -n "$stale" ]; then
      say "warning: no engine runs in this network namespace, but bridges it left do: $stale (scripts/engine.sh start removes them)"
    fi
    return 0
  fi
  local ids bridge
  if [ -n "$engine" ]; then
    ids=$(engine_docker "$engine" network ls --quiet --no-trunc --filter driver=bridge 2>/dev/null)
  else
    ids=$(docker network ls --quiet --no-trunc --filter driver=bridge 2>/dev/null)
  fi || return 0
  ids=$(cut -c1-12 <<<"$ids")
  for bridge in $(docker_bridges); do
    case $bridge in br-*) ;; *) continue ;; esac
    if grep -qx "${bridge#br-}" <<<"$ids"; then continue; fi
    say "warning: bridge $bridge ($(bridge_subnets "$bridge")) is no network of the engine running here: left by another engine? While it exists, a network with an overlapping subnet passes no traffic between its containers. Remove it: ip link delete $bridge"
  done
}

status() {
  local engine pid version
  for engine in $ENGINES; do
    version=$(answers "$engine") || version="does not answer"
    pid=$(own_pid "$engine") && pid="started here, pid $pid" || pid="not started here"
    say "engine $engine: unix://$(engine_socket "$engine"): $version ($pid)"
  done
  local foreign
  foreign=$(foreign_dockerds | paste -sd' ' -)
  [ -z "$foreign" ] || say "dockerd not started by this script in this network namespace: pid $foreign"
  DOCKER_HOST=${DOCKER_HOST:-unix://$(engine_socket 20.10)} check
}

print_env() {
  local engine=$1
  echo "export CONTAINER_LINKS_ENGINE=$engine"
  echo "export DOCKER_HOST=unix://$(engine_socket "$engine")"
  if [ "$engine" != 20.10 ]; then
    echo "export PATH=$(engine_bin "$engine"):\$PATH"
    echo "export DOCKER_CONFIG=$(engine_docker_config "$engine")"
  fi
}

command=${1:-}
case $command in
  setup | start | env)
    need_engine "${2:-}"
    ;;
  stop)
    [ -z "${2:-}" ] || need_engine "$2"
    ;;
  status | check) ;;
  *) usage ;;
esac
case $command in
  setup) setup "$2" ;;
  start) start "$2" ;;
  stop)
    for engine in ${2:-$ENGINES}; do stop_engine "$engine"; done
    ;;
  status) status ;;
  env) print_env "$2" ;;
  check) check ;;
esac
