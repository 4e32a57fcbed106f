# Sourced by bin/pulumi, the npm scripts and the tests: the project's embedded defaults for the
# Pulumi CLI. Each one is a default only: a value the user already exported wins.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export PATH="$TOOLCHAIN_BIN:$PATH"
export PULUMI_HOME=${PULUMI_HOME:-$CACHE_DIR/pulumi-home}
export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$REPO_ROOT/.pulumi-state}
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
