#!/usr/bin/env bash
# Regenerates src/generated and fails when that changed anything: generated code is never edited
# by hand, and a schema or OpenAPI change must ship with its regenerated types.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent codegen >/dev/null
if [ -n "$(git status --porcelain -- src/generated)" ]; then
  echo "src/generated is stale: run 'npm run codegen' and commit the result." >&2
  git status --porcelain -- src/generated >&2
  git --no-pager diff --stat -- src/generated >&2
  exit 1
fi
echo "src/generated is up to date."
