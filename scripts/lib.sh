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
