#!/usr/bin/env bash
# Makes sure the docker and command resource plugins are in the plugin cache at exactly the
# versions the npm packages declare. Where downloads are on (lib.sh downloads_allowed) the official
# plugins: `pulumi plugin install` into a scratch PULUMI_HOME, moved into place once complete, so a
# failed download leaves the installed plugin as it was and the plugin built here is used instead.
# Where downloads are off, the plugins built here from Go modules (replacing downloaded ones), put
# in place with `pulumi plugin install --file`. Usage: scripts/plugins.sh
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

# How long a failed download keeps `auto` from trying again (CONTAINER_LINKS_DOWNLOADS=yes always
# tries), so an offline machine with its own pulumi does not wait on every bootstrap.
retry_after=86400

failure_stamp() { echo "$CACHE_DIR/keys/download-failed-$1-v$2"; }

# download NAME VERSION: the official plugin into the plugin cache; fails (and says why) if
# `pulumi plugin install` does.
download() {
  local name=$1 version=$2 log="$LOG_DIR/plugin-$name.log"
  local dir scratch
  dir=$(plugin_dir "$name" "$version")
  scratch=$(mktemp -d "$CACHE_DIR/plugin-download.XXXXXX")
  say "$name $version: trying 'pulumi plugin install' (downloads on: $(downloads_reason))"
  if PULUMI_HOME=$scratch timeout 180 pulumi plugin install resource "$name" "$version" >"$log" 2>&1 &&
    [ -x "$scratch/plugins/resource-$name-v$version/pulumi-resource-$name" ]; then
    rm -rf "$dir" "$dir.partial" "$dir.lock"
    mv "$scratch/plugins/resource-$name-v$version" "$dir"
    rm -rf "$scratch" "$(failure_stamp "$name" "$version")"
    say "$name $version: official plugin downloaded and installed"
    return 0
  fi
  rm -rf "$scratch"
  date +%s >"$(failure_stamp "$name" "$version")"
  say "$name $version: download failed ($(grep -m1 -i 'error' "$log" || tail -n 1 "$log")); falling back to the plugin built here"
  return 1
}

# Whether to try a download now: not within $retry_after of a failed one, unless forced.
download_due() {
  local stamp
  stamp=$(failure_stamp "$1" "$2")
  [ "${CONTAINER_LINKS_DOWNLOADS:-auto}" = yes ] || [ ! -e "$stamp" ] ||
    [ $(($(date +%s) - $(cat "$stamp"))) -ge $retry_after ]
}

# built_binary NAME VERSION: where the plugin built here is kept (its key: keys/plugin-NAME), so
# switching back from a downloaded plugin needs no rebuild.
built_binary() { echo "$CACHE_DIR/build/pulumi-resource-$1-v$2"; }

ensure() {
  local name=$1 version=$2 key=$3 build_fn=$4
  local origin dir binary
  origin=$(plugin_origin "$name" "$version")
  dir=$(plugin_dir "$name" "$version")
  mkdir -p "$LOG_DIR"
  if downloads_allowed; then
    if [ "$origin" = downloaded ]; then
      say "$name $version: official plugin installed"
      return
    fi
    if download_due "$name" "$version"; then
      download "$name" "$version" && return
    else
      say "$name $version: the last download failed less than a day ago; using the plugin built here (CONTAINER_LINKS_DOWNLOADS=yes tries now)"
    fi
  fi
  if [ "$origin" = "built:$key" ]; then
    say "$name $version: plugin built here, installed"
    return
  fi
  binary=$(built_binary "$name" "$version")
  if [ ! -x "$binary" ] || [ "$(cat "$CACHE_DIR/keys/plugin-$name" 2>/dev/null)" != "$key" ]; then
    command -v go >/dev/null 2>&1 || die "no download of the $name plugin, and no Go to build it: install Go 1.25+"
    say "$name $version: building from Go modules (log: $LOG_DIR/build-plugin-$name.log)"
    "$build_fn" "$version" "$binary" 2>"$LOG_DIR/build-plugin-$name.log" || {
      tail -n 20 "$LOG_DIR/build-plugin-$name.log" >&2
      die "$name plugin build failed (full log: $LOG_DIR/build-plugin-$name.log)"
    }
    echo "$key" >"$CACHE_DIR/keys/plugin-$name"
  fi
  rm -rf "$dir" "$dir.partial" "$dir.lock"
  pulumi plugin install resource "$name" "$version" --file "$binary" >>"$LOG_DIR/plugin-$name.log" 2>&1 ||
    die "installing the $name plugin failed (log: $LOG_DIR/plugin-$name.log)"
  echo "$key" >"$dir/$PLUGIN_BUILD_MARKER"
  say "$name $version: plugin built here, installed$([ "$origin" = downloaded ] && echo ' (replacing the downloaded one: downloads are off)')"
}

# build_command VERSION OUT, build_docker VERSION OUT: build the plugin binary OUT.
build_command() {
  mkdir -p "$(dirname "$2")"
  (cd "$REPO_ROOT/toolchain/provider-command" &&
    go build -trimpath -ldflags "-s -w -X main.version=$1" -o "$2" .) >&2
}

# The docker plugin needs the kreuzwerker provider's internal package, which Go lets only code
# inside that module import: copy the module from the module cache, add our shim package and our
# equivalent of pulumi-docker's registry-client patch. Then, as upstream's build does, generate the
# schema from the mapping and build the plugin with the schema embedded.
build_docker() {
  local src="$REPO_ROOT/toolchain/provider-docker"
  local work="$CACHE_DIR/build/provider-docker" out=$2
  local upstream
  upstream=$(cd "$src" &&
    go mod download -json "$KREUZWERKER_MODULE@$KREUZWERKER_VERSION" | node -e \
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s);if(m.Error)throw new Error(m.Error);console.log(m.Dir)})')
  rm -rf "$work"
  mkdir -p "$work"
  cp -r "$src"/{main.go,go.mod,go.sum,dockerinfo,cmd} "$work/"
  cp -r "$upstream" "$work/upstream"
  chmod -R u+w "$work/upstream"
  mkdir -p "$work/upstream/shim"
  cp "$src/shim.go.in" "$work/upstream/shim/shim.go"
  (cd "$work/upstream" && git apply "$src/registry-http-client.patch") >&2
  (cd "$work" && go build -trimpath -o schemagen ./cmd/schemagen && ./schemagen "$1" >schema.json &&
    go build -trimpath -ldflags "-s -w -X main.version=$1" -o "$out" .) >&2
}

ensure command "$PULUMI_COMMAND_VERSION" \
  "$(hash_files $(source_files "$REPO_ROOT/toolchain/provider-command"))" build_command
ensure docker "$PULUMI_DOCKER_VERSION" \
  "$KREUZWERKER_VERSION-$(hash_files $(source_files "$REPO_ROOT/toolchain/provider-docker"))" build_docker
