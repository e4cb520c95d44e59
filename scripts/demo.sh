#!/usr/bin/env bash
# The README's demo command (npm run demo [-- --keep] [-- --dir DIR]): set-up, then the whole
# mission on this machine (demo/mission-demo.ts, docs/demo.md). The station-only demo that
# programs chips straight from a layout is `npm run demo:station`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/demo/mission-demo.js "$@"
