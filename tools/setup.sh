#!/usr/bin/env bash
# Sets up a machine that has only Node 20 and npm: pnpm, the pinned dependencies, and promtool
# (the alert-rule tests run the real Prometheus rule engine).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(pnpm --version 2>/dev/null)" != "12.21.0" ]; then
  npm install --global --no-fund --no-audit pnpm@12.21.0
fi
pnpm install --frozen-lockfile

if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  else
    echo "promtool is missing: install the 'prometheus' package (it ships promtool) and run this again." >&2
    exit 1
  fi
fi
