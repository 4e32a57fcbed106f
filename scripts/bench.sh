#!/usr/bin/env bash
# The benchmark (not part of `npm test`): set up what it needs (the same bootstrap as `npm test`),
# then bench/run.js, which prints the table on stdout and writes bench/results/. bench/README.md
# explains the numbers. Usage: scripts/bench.sh [--reps N] [--only cycle|throughput] [--help ...]
set -euo pipefail
export SCRIPT_START=$(date +%s)
here=$(dirname "${BASH_SOURCE[0]}")
"$here/bootstrap.sh" >&2
source "$here/env.sh"
STEP=bench
cd "$REPO_ROOT"
say "node bench/run.js $*" >&2
exec node bench/run.js "$@"
