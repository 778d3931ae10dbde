#!/usr/bin/env bash
# Sets up a machine that has only Node 20 and npm: pnpm, the pinned dependencies, promtool (the
# alert-rule tests run the real Prometheus rule engine), Go, and the upstream CRDs and chart values
# files at their pinned versions and checksums (from the Go module proxy into .upstream/, git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(pnpm --version 2>/dev/null)" != "12.21.0" ]; then
  npm install --global --no-fund --no-audit pnpm@12.21.0
fi
pnpm install --frozen-lockfile

apt_install() {
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    [ -n "${APT_UPDATED:-}" ] || { apt-get update -qq; APT_UPDATED=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    return 1
  fi
}

if ! command -v promtool >/dev/null 2>&1; then
  apt_install prometheus || {
    echo "promtool is missing: install the 'prometheus' package (it ships promtool) and run this again." >&2
    exit 1
  }
fi

if ! command -v go >/dev/null 2>&1; then
  apt_install golang-go ca-certificates || {
    echo "go is missing: install Go 1.19 or later (it downloads the upstream CRDs and chart values) and run this again." >&2
    exit 1
  }
fi
pnpm run fetch:upstream
