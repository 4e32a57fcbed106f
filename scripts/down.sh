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
# As `npm run up` runs `up`: no preview. And no refresh (Pulumi.yaml asks for one before every
# command): destroy deletes what the state records, and an object already removed by hand counts as
# deleted, so reading everything back first only costs time.
pulumi destroy --yes --skip-preview --refresh=false --stack dev "$@"
say "done"
