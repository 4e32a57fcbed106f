#!/usr/bin/env bash
# Makes sure the docker and command resource plugins are in the plugin cache at exactly the
# versions the npm packages declare: `pulumi plugin install` first (works online), else built
# here from Go modules and installed with `pulumi plugin install --file`.
# Usage: scripts/plugins.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# The version each npm package declares is the one the engine will ask for.
declared() { node -p "require('$REPO_ROOT/node_modules/@pulumi/$1/package.json').pulumi.version"; }
for name in docker command; do
  upper=$(echo "$name" | tr a-z A-Z)
  pinned_var="PULUMI_${upper}_VERSION"
  [ "$(declared "$name")" = "${!pinned_var}" ] ||
    die "@pulumi/$name declares plugin $(declared "$name"), toolchain/versions.env pins ${!pinned_var}"
done

plugin_dir() { echo "$PULUMI_HOME/plugins/resource-$1-v$2"; }
# A plugin we built carries a key file, so a changed source or pin rebuilds it; a plugin that
# `pulumi plugin install` downloaded has none and is kept as it is.
marker=container-links.build-key

ensure() {
  local name=$1 version=$2 key=$3 build_fn=$4
  local dir
  dir=$(plugin_dir "$name" "$version")
  if [ -d "$dir" ] && [ ! -e "$dir.partial" ]; then
    if [ ! -e "$dir/$marker" ] || [ "$(cat "$dir/$marker")" = "$key" ]; then
      say "$name $version: installed"
      return
    fi
  fi
  mkdir -p "$LOG_DIR"
  if [ ! -e "$dir/$marker" ] && downloads_allowed; then
    say "$name $version: trying 'pulumi plugin install' (online path)"
    if timeout 180 pulumi plugin install resource "$name" "$version" >"$LOG_DIR/plugin-$name.log" 2>&1; then
      say "$name $version: downloaded"
      return
    fi
  fi
  command -v go >/dev/null 2>&1 || die "no download of the $name plugin, and no Go to build it: install Go 1.25+"
  say "$name $version: building from Go modules (log: $LOG_DIR/build-plugin-$name.log)"
  local binary
  binary=$("$build_fn" "$version" 2>"$LOG_DIR/build-plugin-$name.log") || {
    tail -n 20 "$LOG_DIR/build-plugin-$name.log" >&2
    die "$name plugin build failed (full log: $LOG_DIR/build-plugin-$name.log)"
  }
  rm -rf "$dir" "$dir.lock"
  pulumi plugin install resource "$name" "$version" --file "$binary" >>"$LOG_DIR/plugin-$name.log" 2>&1 ||
    die "installing the $name plugin failed (log: $LOG_DIR/plugin-$name.log)"
  echo "$key" >"$dir/$marker"
  say "$name $version: built and installed"
}

build_command() {
  local out="$CACHE_DIR/build/pulumi-resource-command-v$1"
  mkdir -p "$(dirname "$out")"
  (cd "$REPO_ROOT/toolchain/provider-command" &&
    go build -trimpath -ldflags "-s -w -X main.version=$1" -o "$out" .) >&2
  echo "$out"
}

# The docker plugin needs the kreuzwerker provider's internal package, which Go lets only code
# inside that module import: copy the module from the module cache and add our shim package.
build_docker() {
  local work="$CACHE_DIR/build/provider-docker" out="$CACHE_DIR/build/pulumi-resource-docker-v$1"
  local upstream
  upstream=$(cd "$REPO_ROOT/toolchain/provider-docker" &&
    go mod download -json "$KREUZWERKER_MODULE@$KREUZWERKER_VERSION" | node -e \
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s);if(m.Error)throw new Error(m.Error);console.log(m.Dir)})')
  rm -rf "$work"
  mkdir -p "$work"
  cp "$REPO_ROOT"/toolchain/provider-docker/{main.go,go.mod,go.sum} "$work/"
  cp -r "$upstream" "$work/upstream"
  chmod -R u+w "$work/upstream"
  mkdir -p "$work/upstream/shim"
  cp "$REPO_ROOT/toolchain/provider-docker/shim.go.in" "$work/upstream/shim/shim.go"
  (cd "$work" && go build -trimpath -ldflags "-s -w -X main.version=$1" -o "$out" .) >&2
  echo "$out"
}

ensure command "$PULUMI_COMMAND_VERSION" \
  "$(hash_files $(source_files "$REPO_ROOT/toolchain/provider-command"))" build_command
ensure docker "$PULUMI_DOCKER_VERSION" \
  "$KREUZWERKER_VERSION-$(hash_files "$REPO_ROOT"/toolchain/provider-docker/{main.go,go.mod,go.sum,shim.go.in})" \
  build_docker
