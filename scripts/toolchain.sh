#!/usr/bin/env bash
# Makes sure of the pinned Pulumi CLI and its Node.js language host in $TOOLCHAIN_BIN: a `pulumi`
# on PATH at the pinned version is used as it is; otherwise both are built from Go modules.
# Usage: scripts/toolchain.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want="v$PULUMI_VERSION"
mkdir -p "$TOOLCHAIN_BIN" "$CACHE_DIR/keys"

# build NAME KEY DIR PACKAGE LDFLAGS: go build PACKAGE (run in module DIR) into $TOOLCHAIN_BIN/NAME
# unless the binary there was built from the same KEY.
build() {
  local name=$1 key=$2 dir=$3 package=$4 ldflags=$5
  local keyfile="$CACHE_DIR/keys/$name"
  if [ -x "$TOOLCHAIN_BIN/$name" ] && [ "$(cat "$keyfile" 2>/dev/null)" = "$key" ]; then
    say "$name: cached ($key)"
    return
  fi
  say "$name: building from Go modules (first run takes minutes; log: $LOG_DIR/build-$name.log)"
  mkdir -p "$LOG_DIR"
  if ! (cd "$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$TOOLCHAIN_BIN/$name.tmp" "$package") \
    >"$LOG_DIR/build-$name.log" 2>&1; then
    tail -n 20 "$LOG_DIR/build-$name.log" >&2
    die "$name: go build failed (full log: $LOG_DIR/build-$name.log)"
  fi
  mv "$TOOLCHAIN_BIN/$name.tmp" "$TOOLCHAIN_BIN/$name"
  echo "$key" >"$keyfile"
  say "$name: built"
}

# A pulumi on PATH (outside our cache) at the pinned version is the user's own install: link it.
path_pulumi=$(PATH=${PATH//$TOOLCHAIN_BIN:/} command -v pulumi || true)
if [ -n "$path_pulumi" ] && [ "$("$path_pulumi" version 2>/dev/null)" = "$want" ]; then
  ln -sf "$path_pulumi" "$TOOLCHAIN_BIN/pulumi"
  echo "path:$path_pulumi" >"$CACHE_DIR/keys/pulumi"
  say "pulumi: using $path_pulumi ($want) and the language host beside it"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "Go is needed to build the Pulumi CLI here: install Go 1.25 or newer"
stamp="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$want"
[ -L "$TOOLCHAIN_BIN/pulumi" ] && rm -f "$TOOLCHAIN_BIN/pulumi"
build pulumi "$want-$(hash_files "$REPO_ROOT"/toolchain/pulumi-cli/go.{mod,sum})" \
  "$REPO_ROOT/toolchain/pulumi-cli" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$stamp"
build pulumi-language-nodejs \
  "$want-$(hash_files "$REPO_ROOT"/toolchain/language-nodejs/{main.go,go.mod,go.sum})" \
  "$REPO_ROOT/toolchain/language-nodejs" . "$stamp"
say "pulumi: $("$TOOLCHAIN_BIN/pulumi" version)"
