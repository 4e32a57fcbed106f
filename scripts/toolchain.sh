#!/usr/bin/env bash
# Puts the pinned Pulumi CLI and its Node.js language host in $TOOLCHAIN_BIN, the folder the
# project's scripts put first on PATH. The official ones when a `pulumi` of the pinned version is
# the user's own (on PATH) and CONTAINER_LINKS_DOWNLOADS is not `no`: then $TOOLCHAIN_BIN/pulumi
# links to it and holds no language host, so the one beside it runs. Otherwise both are built from
# Go modules (once, cached by key) and hard-linked into $TOOLCHAIN_BIN.
# Usage: scripts/toolchain.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want="v$PULUMI_VERSION"
built=$CACHE_DIR/toolchain/built
mkdir -p "$TOOLCHAIN_BIN" "$built" "$CACHE_DIR/keys"

# build NAME KEY DIR PACKAGE LDFLAGS: go build PACKAGE (run in module DIR) into $built/NAME unless
# the binary there was built from the same KEY.
build() {
  local name=$1 key=$2 dir=$3 package=$4 ldflags=$5
  local keyfile="$CACHE_DIR/keys/$name"
  # Caches from before $built existed kept the binary in $TOOLCHAIN_BIN itself.
  if [ ! -e "$built/$name" ] && [ -f "$TOOLCHAIN_BIN/$name" ] && [ ! -L "$TOOLCHAIN_BIN/$name" ]; then
    ln -f "$TOOLCHAIN_BIN/$name" "$built/$name"
  fi
  if [ -x "$built/$name" ] && [ "$(cat "$keyfile" 2>/dev/null)" = "$key" ]; then
    say "$name: cached ($key)"
    return
  fi
  say "$name: building from Go modules (first run takes minutes; log: $LOG_DIR/build-$name.log)"
  mkdir -p "$LOG_DIR"
  if ! (cd "$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$built/$name.tmp" "$package") \
    >"$LOG_DIR/build-$name.log" 2>&1; then
    tail -n 20 "$LOG_DIR/build-$name.log" >&2
    die "$name: go build failed (full log: $LOG_DIR/build-$name.log)"
  fi
  mv "$built/$name.tmp" "$built/$name"
  echo "$key" >"$keyfile"
  say "$name: built"
}

# A hard link, not a symlink: the CLI looks for its language host beside its resolved path, and
# finds the built one there without a "using ... from \$PATH" warning.
activate() { rm -f "$TOOLCHAIN_BIN/$1" && ln -f "$built/$1" "$TOOLCHAIN_BIN/$1"; }

build_host() {
  build pulumi-language-nodejs \
    "$want-$(hash_files $(source_files "$REPO_ROOT/toolchain/language-nodejs"))" \
    "$REPO_ROOT/toolchain/language-nodejs" . "$stamp"
}

stamp="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$want"
own=$(own_pulumi)
if [ -n "$own" ] && [ "${CONTAINER_LINKS_DOWNLOADS:-auto}" != no ]; then
  ln -sfn "$own" "$TOOLCHAIN_BIN/pulumi"
  rm -f "$TOOLCHAIN_BIN/pulumi-language-nodejs"
  if [ -x "$(dirname "$(readlink -f "$own")")/pulumi-language-nodejs" ]; then
    say "pulumi: the official CLI $own ($want) and the language host beside it"
    exit 0
  fi
  # An install without its host (unusual): run the CLI with the host built here.
  command -v go >/dev/null 2>&1 || die "$own has no pulumi-language-nodejs beside it, and there is no Go to build one"
  build_host
  activate pulumi-language-nodejs
  say "pulumi: the official CLI $own ($want), with the language host built here (none beside it)"
  exit 0
fi

[ -n "$own" ] && say "pulumi: $own is $want, but CONTAINER_LINKS_DOWNLOADS=no: using the toolchain built here"
command -v go >/dev/null 2>&1 || die "Go is needed to build the Pulumi CLI here: install Go 1.25 or newer"
build pulumi "$want-$(hash_files "$REPO_ROOT"/toolchain/pulumi-cli/go.{mod,sum})" \
  "$REPO_ROOT/toolchain/pulumi-cli" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$stamp"
build_host
activate pulumi
activate pulumi-language-nodejs
say "pulumi: the CLI and language host built here ($("$TOOLCHAIN_BIN/pulumi" version))"
