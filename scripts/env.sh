# Sourced by bin/pulumi, the npm scripts and the tests: the project's embedded defaults for the
# Pulumi CLI. Each one is a default only: a value the user already exported wins.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export PATH="$TOOLCHAIN_BIN:$PATH"
# CONTAINER_LINKS_ENGINE=20.10|28|29: the engine scripts/engine.sh runs (the bootstrap starts it).
# DOCKER_HOST points at it; for 28 and 29 their docker CLI (and its buildx) comes first. Each engine
# has its own containers, so each keeps its stacks' state in its own folder; the system's 20.10 keeps
# the default one.
state_dir=$REPO_ROOT/.pulumi-state
if [ -n "${CONTAINER_LINKS_ENGINE:-}" ]; then
  engine_known "$CONTAINER_LINKS_ENGINE" ||
    die "CONTAINER_LINKS_ENGINE must be 20.10, 28 or 29, not '$CONTAINER_LINKS_ENGINE'"
  export DOCKER_HOST=${DOCKER_HOST:-unix://$(engine_socket "$CONTAINER_LINKS_ENGINE")}
  if [ "$CONTAINER_LINKS_ENGINE" != 20.10 ]; then
    export PATH="$(engine_bin "$CONTAINER_LINKS_ENGINE"):$PATH"
    export DOCKER_CONFIG=${DOCKER_CONFIG:-$(engine_docker_config "$CONTAINER_LINKS_ENGINE")}
  fi
  if [ "$CONTAINER_LINKS_ENGINE" != 20.10 ] || [ -n "$ENGINE_ROOT" ]; then
    state_dir=$state_dir/engines/$CONTAINER_LINKS_ENGINE
    # An engine under another root (CI runs one per network namespace) is another engine again.
    [ -z "$ENGINE_ROOT" ] || state_dir=$state_dir-$(sha256sum <<<"$ENGINE_ROOT" | cut -c1-8)
  fi
fi
export PULUMI_HOME=${PULUMI_HOME:-$CACHE_DIR/pulumi-home}
export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$state_dir}
export PULUMI_SKIP_UPDATE_CHECK=${PULUMI_SKIP_UPDATE_CHECK:-true}
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-true}
case $PULUMI_BACKEND_URL in
  file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;;
esac
# Stack secrets (the Redis password) are encrypted with a passphrase: a random one made for this
# clone, kept in the git-ignored state folder and readable by its owner only, unless the user gives
# their own (PULUMI_CONFIG_PASSPHRASE or _FILE) or uses another secrets provider.
if [ -z "${PULUMI_CONFIG_PASSPHRASE+set}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE_FILE=$REPO_ROOT/.pulumi-state/passphrase
  if [ ! -s "$PULUMI_CONFIG_PASSPHRASE_FILE" ]; then
    mkdir -p "$(dirname "$PULUMI_CONFIG_PASSPHRASE_FILE")"
    # Written aside, then linked into place: a concurrent first run keeps whichever came first.
    passphrase_tmp=$(umask 077 && mktemp "$PULUMI_CONFIG_PASSPHRASE_FILE.XXXXXX")
    head -c 32 /dev/urandom | base64 >"$passphrase_tmp"
    ln "$passphrase_tmp" "$PULUMI_CONFIG_PASSPHRASE_FILE" 2>/dev/null || true
    rm -f "$passphrase_tmp"
  fi
fi

# Resource plugins in the plugin cache. One that the bootstrap built carries a marker file holding
# its build key; one that `pulumi plugin install` downloaded has none.
PLUGIN_BUILD_MARKER=container-links.build-key
plugin_dir() { echo "$PULUMI_HOME/plugins/resource-$1-v$2"; }

# plugin_origin NAME VERSION: none, built:<key> or downloaded.
plugin_origin() {
  local dir
  dir=$(plugin_dir "$1" "$2")
  if [ ! -d "$dir" ] || [ -e "$dir.partial" ]; then
    echo none
  elif [ -e "$dir/$PLUGIN_BUILD_MARKER" ]; then
    echo "built:$(cat "$dir/$PLUGIN_BUILD_MARKER")"
  else
    echo downloaded
  fi
}

# One line saying which toolchain is in use: where the CLI and its language host come from, and
# whether each plugin is the official download or the build from this repository.
toolchain_summary() {
  local cli host plugins="" name var
  if [ -L "$TOOLCHAIN_BIN/pulumi" ]; then
    cli="official CLI $(readlink "$TOOLCHAIN_BIN/pulumi")"
  else
    cli="CLI built here"
  fi
  if [ -e "$TOOLCHAIN_BIN/pulumi-language-nodejs" ]; then host="language host built here"; else
    host="its own language host"
  fi
  for name in docker command; do
    var="PULUMI_${name^^}_VERSION"
    case $(plugin_origin "$name" "${!var}") in
      downloaded) plugins+=", $name ${!var} official" ;;
      built:*) plugins+=", $name ${!var} built here" ;;
      *) plugins+=", $name ${!var} missing" ;;
    esac
  done
  echo "$cli v$PULUMI_VERSION with $host$plugins"
}
