#!/usr/bin/env bash
# The README's test command: set-up, format check, type-aware lint, build (type check), then every
# unit (*.spec.js) and integration/end-to-end (*.test.js) test against the real parts.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "[test] format (prettier --check)"
npx --no-install prettier --check --log-level warn .
echo "[test] lint (eslint, type-aware)"
npx --no-install eslint --max-warnings 0 .

mapfile -t files < <(find dist/apps dist/libs dist/testkit dist/demo dist/bench dist/chaos dist/fuzz dist/test -type f \( -name '*.spec.js' -o -name '*.test.js' \) 2>/dev/null | sort)
if ((${#files[@]} == 0)); then
  echo "[test] no test files found under dist/" >&2
  exit 1
fi
echo "[test] running ${#files[@]} test files"
exec node --test --test-concurrency=2 --test-timeout=180000 --test-reporter=spec "${files[@]}"
