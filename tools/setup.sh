#!/usr/bin/env bash
# Sets up a machine that has only Node 20 and npm: pnpm, the pinned dependencies, Go, promtool of the
# Prometheus the cluster runs (built from the Go module proxy into .tools/; the alert-rule tests run it),
# and the upstream CRDs and chart values files at their pinned versions and checksums (into .upstream/).
# Both folders are git-ignored.
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

if ! command -v go >/dev/null 2>&1; then
  apt_install golang-go ca-certificates || {
    echo "go is missing: install Go 1.21 or later (it fetches the upstream CRDs and builds promtool, switching to the toolchain a module needs) and run this again." >&2
    exit 1
  }
fi
# promtool of the Prometheus the cluster runs, for the alert-rule tests and npm run verify.
pnpm exec tsx tools/verify/build-promtool.ts >/dev/null
pnpm run fetch:upstream
