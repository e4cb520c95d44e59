#!/usr/bin/env bash
# npm run api — runs the API on this machine with everything local: a project SoftHSM token and its
# key ceremony, a project Redis (started here, stopped when the API stops), the embedded database
# (PGlite under .ingrain/data), and a first admin token in .ingrain/admin-token (mode 0600).
# Production: set DATABASE_URL, REDIS_URL and the INGRAIN_HSM_* variables and run bin/ingrain-api.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

state=.ingrain
mkdir -p "$state/redis"
eval "$(bash scripts/softhsm-token.sh)"
node bin/ingrain-admin hsm init --out "$state/public-keys" >&2

redis_port=${INGRAIN_LOCAL_REDIS_PORT:-6390}
own_redis=false
if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$state/redis" --save '' --appendonly no \
    --daemonize yes --pidfile "$PWD/$state/redis/redis.pid" --logfile "$PWD/$state/redis/redis.log"
  own_redis=true
fi
api_pid=
stop() {
  if [[ -n $api_pid ]]; then
    kill -TERM "$api_pid" 2>/dev/null || true
    wait "$api_pid" 2>/dev/null || true
  fi
  if $own_redis; then redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; fi
}
trap stop EXIT
trap 'exit 143' INT TERM

export REDIS_URL="redis://127.0.0.1:$redis_port"
export INGRAIN_DATA_DIR="$state/data"
export INGRAIN_PUBLIC_KEYS_DIR="$state/public-keys"
export PORT="${PORT:-8080}"

if [[ ! -s $state/admin-token ]]; then
  umask 077
  node bin/ingrain-admin token create --role admin --name local-admin --json |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).token))' \
      >"$state/admin-token"
fi
echo "[api] admin token in $state/admin-token; docs at http://127.0.0.1:$PORT/docs (Ctrl-C stops the API and Redis)" >&2
node bin/ingrain-api &
api_pid=$!
wait "$api_pid"
