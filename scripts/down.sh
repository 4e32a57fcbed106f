#!/usr/bin/env bash
# Destroys the dev stack's containers, network and app image (the Redis data volume stays unless
# retainData is false). Usage: scripts/down.sh [extra pulumi destroy flags]
set -euo pipefail
export SCRIPT_START=$(date +%s)
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
STEP=down
cd "$REPO_ROOT"
[ -x "$TOOLCHAIN_BIN/pulumi" ] || die "nothing to destroy: the toolchain was never set up here"
pulumi stack select dev >/dev/null 2>&1 || die "there is no dev stack"
say "pulumi destroy (stack dev)"
pulumi destroy --yes --stack dev "$@"
say "done"
