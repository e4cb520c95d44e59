#!/usr/bin/env bash
# Screenshots of the console's pages for docs/console.md (npm run console:screenshots): runs the
# browser test against the local stack with INGRAIN_CONSOLE_SCREENSHOTS_DIR set to a temporary
# directory (the test never writes into docs/), then copies the PNGs to docs/console/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
INGRAIN_CONSOLE_SCREENSHOTS_DIR="$out" node --test --test-concurrency=1 --test-timeout=600000 dist/test/e2e/console*.test.js
mkdir -p docs/console
cp "$out"/*.png docs/console/
ls -1 docs/console/*.png
