#!/usr/bin/env bash
# The README's demo command: set-up, then the station demo (simulated chips provisioned over ptys).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node dist/demo/station-demo.js "$@"
