#!/usr/bin/env bash
# The main job: set up whatever is missing, then `pulumi up` the dev stack.
# Usage: scripts/up.sh [extra pulumi up flags]
set -euo pipefail
export SCRIPT_START=$(date +%s)
here=$(dirname "${BASH_SOURCE[0]}")
"$here/bootstrap.sh"
source "$here/env.sh"
STEP=up
cd "$REPO_ROOT"
pulumi stack select dev --create >/dev/null
say "pulumi up (stack dev)"
pulumi up --yes --skip-preview --stack dev "$@"
say "done; outputs: ./bin/pulumi stack output --json; report: npm run verify"
