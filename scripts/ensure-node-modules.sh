#!/usr/bin/env bash
# Installs the npm packages when they are missing or older than package-lock.json, so that
# `npm start` and `npm test` work on a fresh clone without a separate `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."
marker=node_modules/.package-lock.json
if [[ -f "$marker" && ! package-lock.json -nt "$marker" ]]; then
  exit 0
fi
command -v node >/dev/null || { echo "Node.js 20 or newer is required: install it (https://nodejs.org) and retry." >&2; exit 1; }
start=$(date +%s)
echo "→ npm packages: installing with npm ci" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "✓ npm packages ($(( $(date +%s) - start )) s)" >&2
