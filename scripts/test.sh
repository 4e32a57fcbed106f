#!/usr/bin/env bash
# All tests: set up what they need (the same bootstrap as `npm run up`), then jest's unit,
# conformance and integration projects. Extra arguments go to jest. Usage: scripts/test.sh [jest args]
set -euo pipefail
export SCRIPT_START=$(date +%s)
here=$(dirname "${BASH_SOURCE[0]}")
"$here/bootstrap.sh"
source "$here/env.sh"
STEP=test
cd "$REPO_ROOT"
say "jest (unit, conformance, then integration)"
npx jest "$@"
