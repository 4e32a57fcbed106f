#!/usr/bin/env bash
# Sets up whatever is missing for `pulumi up` and the tests, in order: npm packages, the pinned
# Pulumi CLI and language host, the docker and command plugins, a Docker engine, the images, the
# dev stack.
# Idempotent: a second run finds everything and takes seconds. Usage: scripts/bootstrap.sh
set -euo pipefail
export SCRIPT_START=${SCRIPT_START:-$(date +%s)}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

steps=(npm toolchain plugins docker-engine images dev-stack)
n=0
for step in "${steps[@]}"; do
  n=$((n + 1))
  export STEP="bootstrap $n/${#steps[@]} $step"
  case $step in
    npm)
      # package-lock.json pins every npm package; app/node_modules comes from the postinstall.
      if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
        [ ! -d app/node_modules ]; then
        say "installing npm packages (npm ci)"
        npm ci --no-audit --no-fund >"$(mkdir -p "$LOG_DIR" && echo "$LOG_DIR/npm-ci.log")" 2>&1 ||
          die "npm ci failed (log: $LOG_DIR/npm-ci.log)"
      fi
      say "npm packages in place"
      ;;
    dev-stack)
      # The dev stack that `npm run up` deploys, made here (not selected: yours stays selected). Making
      # it writes this clone's encryptionsalt into the tracked Pulumi.dev.yaml, which git then leaves
      # out of the file's changes (ignore_stack_salt), so that a fresh clone stays clean.
      source "$REPO_ROOT/scripts/env.sh"
      if ! pulumi stack ls --json | grep -q '"name": "dev"'; then
        pulumi stack init dev --no-select >/dev/null
      fi
      ignore_stack_salt "$REPO_ROOT"
      say "stack dev in place"
      ;;
    *) "$REPO_ROOT/scripts/$step.sh" ;;
  esac
done
source "$REPO_ROOT/scripts/env.sh"
STEP=bootstrap say "toolchain: $(toolchain_summary)"
STEP=bootstrap say "ready (downloads from Pulumi's and Docker's servers: $(downloads_allowed && echo on || echo off), $(downloads_reason))"
