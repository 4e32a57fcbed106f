# Sourced by the scripts in this folder: repository paths, pinned versions, the cache folder and
# progress lines. Not meant to be run on its own.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../toolchain/versions.env
source "$REPO_ROOT/toolchain/versions.env"

# Built binaries, images' root file systems and logs live outside the repository, keyed by
# version, so that a second run (or a second clone) finds them.
CACHE_DIR=${CONTAINER_LINKS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/container-links}
TOOLCHAIN_BIN=$CACHE_DIR/toolchain/bin
LOG_DIR=$CACHE_DIR/logs

# The Docker engines the project is tested on (scripts/engine.sh provides and switches them).
# CONTAINER_LINKS_ENGINE_ROOT prefixes every path an engine uses while it runs (socket, pidfile,
# exec root, data), so that engines can run side by side, one per network namespace (CI does that);
# empty, they live where a system's engine does. 20.10 is the system's own Docker (Debian bookworm's
# docker.io): the standard socket and data root.
ENGINES="20.10 28 29"
ENGINE_ROOT=${CONTAINER_LINKS_ENGINE_ROOT:-}
engine_known() { case ${1:-} in 20.10 | 28 | 29) return 0 ;; *) return 1 ;; esac; }
# Pidfile, exec root and (28, 29) socket of engine $1.
engine_run_dir() { echo "$ENGINE_ROOT/run/container-links/$1"; }
engine_socket() {
  case $1 in
    20.10) echo "$ENGINE_ROOT/var/run/docker.sock" ;;
    *) echo "$(engine_run_dir "$1")/docker.sock" ;;
  esac
}
# Binaries of engine $1 that go first on PATH (its dockerd, containerd, runc and docker CLI); the
# system's for 20.10.
engine_bin() { echo "$CACHE_DIR/engines/$1/bin"; }
# The docker CLI's config folder for engines 28 and 29: it holds their buildx as a CLI plugin.
engine_docker_config() { echo "$CACHE_DIR/engines/$1/docker-config"; }

# Progress: every line says which step is running and the time since the script started.
SCRIPT_START=${SCRIPT_START:-$(date +%s)}
STEP=${STEP:-$(basename "$0" .sh)}
say() { printf '[%s +%ss] %s\n' "$STEP" "$(($(date +%s) - SCRIPT_START))" "$*"; }
die() {
  say "error: $*" >&2
  exit 1
}

# Installs Debian packages (as root), logging to $LOG_DIR/apt-<first package>.log.
apt_install() {
  mkdir -p "$LOG_DIR"
  local log="$LOG_DIR/apt-$1.log"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; } >"$log" 2>&1 ||
    die "apt-get install $* failed (log: $log)"
}

# docker build with BuildKit (buildx) where the docker CLI has it, else with the classic builder
# (deprecated since Engine 23; bookworm's 20.10 CLI has no buildx).
docker_build() {
  if docker buildx version >/dev/null 2>&1; then
    docker buildx build --load "$@"
  else
    DOCKER_BUILDKIT=0 docker build "$@"
  fi
}

# A short content hash of files, used as a cache key so edited sources rebuild.
hash_files() { cat "$@" | sha256sum | cut -c1-12; }
# The files a Go module under toolchain/ is built from (not its tests), sorted, for hash_files.
source_files() { find "$1" -type f ! -name '*_test.go' | LC_ALL=C sort; }

# The user's own `pulumi` at the pinned version: first on PATH outside $TOOLCHAIN_BIN, printing
# v$PULUMI_VERSION. Empty when there is none.
own_pulumi() {
  local candidate
  candidate=$(PATH=${PATH//$TOOLCHAIN_BIN:/} command -v pulumi || true)
  if [ -n "$candidate" ] &&
    [ "$(PULUMI_SKIP_UPDATE_CHECK=true timeout 30 "$candidate" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; then
    echo "$candidate"
  fi
}

# Whether the bootstrap may try Pulumi's and Docker's own servers (plugin and image downloads)
# before building locally. CONTAINER_LINKS_DOWNLOADS=yes|no decides; by default (auto) only a
# machine with its own Pulumi install at the pinned version (linked into $TOOLCHAIN_BIN by
# toolchain.sh) tries them: where the CLI had to be built here, nothing is fetched from outside the
# package registries.
downloads_allowed() {
  case ${CONTAINER_LINKS_DOWNLOADS:-auto} in
    yes) return 0 ;;
    no) return 1 ;;
    auto) [ -L "$TOOLCHAIN_BIN/pulumi" ] ;;
    *) die "CONTAINER_LINKS_DOWNLOADS must be yes, no or auto, not '$CONTAINER_LINKS_DOWNLOADS'" ;;
  esac
}

# Why downloads are on or off, for progress lines.
downloads_reason() {
  case ${CONTAINER_LINKS_DOWNLOADS:-auto} in
    yes | no) echo "CONTAINER_LINKS_DOWNLOADS=$CONTAINER_LINKS_DOWNLOADS" ;;
    *) if [ -L "$TOOLCHAIN_BIN/pulumi" ]; then echo "auto: your own pulumi v$PULUMI_VERSION"; else
      echo "auto: no pulumi v$PULUMI_VERSION of your own"
    fi ;;
  esac
}

# The first `pulumi up` writes the clone's encryptionsalt into the tracked Pulumi.dev.yaml (Pulumi
# keeps it there). It only works with this clone's passphrase, so it is nobody's change to commit:
# the filter that .gitattributes names leaves that line out of what git compares and commits. Run
# after the line is written: git counts a file whose size changed as modified until it is added
# again, so it is re-added when, through the filter, it holds nothing else new (which stages nothing).
# Does nothing outside a git checkout (a copy without .git has nothing to keep clean).
ignore_stack_salt() {
  git -C "$1" rev-parse --git-dir >/dev/null 2>&1 || return 0
  git -C "$1" config filter.stack-salt.clean "sed '/^encryptionsalt: /d'"
  git -C "$1" config filter.stack-salt.smudge cat
  if git -C "$1" diff --quiet -- Pulumi.dev.yaml; then git -C "$1" add -- Pulumi.dev.yaml; fi
}
