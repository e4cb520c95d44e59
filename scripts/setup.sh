#!/usr/bin/env bash
# Idempotent set-up shared by the demo, bench and test commands: Debian packages, npm packages, and
# the build of the whole tree (tsconfig.test.json: the runtime plus tests, testkit, demo and bench;
# `npm run build` builds the runtime alone, tsconfig.build.json).
# Fast when everything is already in place (a few dpkg queries, one hash, an incremental tsc).
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(socat stm32flash softhsm2 opensc redis-server postgresql gpiod chromium)

log() { printf '[setup] %s\n' "$*" >&2; }

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: ${missing[*]} (run as root, or install them: apt-get install ${missing[*]})"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The postgresql package must not leave a cluster running: the tests start their own server.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if command -v pg_lsclusters >/dev/null && [[ " ${missing[*]} " == *" postgresql "* ]]; then
    pg_lsclusters -h 2>/dev/null | while read -r ver name _; do pg_ctlcluster "$ver" "$name" stop 2>/dev/null || true; done
  fi
fi

lock_hash=$(sha256sum package-lock.json package.json | sha256sum | cut -c1-64)
stamp=node_modules/.ingrain-install-stamp
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_hash" ]]; then
  log "installing npm packages (npm ci)"
  # npm ci refuses this lockfile when the registry mirror lacks some other platforms' optional
  # prebuilds (msgpackr-extract for darwin/win32 are absent here); npm install honours the same
  # lockfile and skips them. See docs/decisions.md.
  npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi

log "building (tsc, the whole tree)"
npx --no-install tsc -p tsconfig.test.json
log "building the web console (type check, esbuild into dist/console)"
npx --no-install tsc -p apps/console/tsconfig.json
node scripts/build-console.mjs
