#!/usr/bin/env bash
# Creates, idempotently, a project-local SoftHSM2 token (never the global one) and prints the
# environment lines that point Ingrain at it:   eval "$(bash scripts/softhsm-token.sh)"
#
#   INGRAIN_SOFTHSM_DIR      where the token lives (default: .ingrain/softhsm under the repository)
#   INGRAIN_SOFTHSM_LABEL    token label (default: ingrain)
#   INGRAIN_SOFTHSM_MODULE   SoftHSM's PKCS#11 module (default: /usr/lib/softhsm/libsofthsm2.so)
#
# Deliberately not INGRAIN_HSM_MODULE / INGRAIN_HSM_TOKEN_LABEL: a shell set up for a production
# HSM must never lead this script to initialize a token on it.
#
# The SO PIN and user PIN are random, generated into so-pin and user-pin (mode 0600) in that
# directory. They never appear on a command line: the token is initialized through PKCS#11
# (C_InitToken, C_InitPIN) by a short Node program reading the PIN files, not by softhsm2-util.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${INGRAIN_SOFTHSM_DIR:-$PWD/.ingrain/softhsm}
label=${INGRAIN_SOFTHSM_LABEL:-ingrain}
module=${INGRAIN_SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}

log() { printf '[softhsm-token] %s\n' "$*" >&2; }

[[ -r $module ]] || { log "PKCS#11 module not found: $module (apt-get install softhsm2)"; exit 1; }
umask 077
mkdir -p "$dir/tokens"
dir=$(cd "$dir" && pwd)
conf=$dir/softhsm2.conf
if [[ ! -f $conf ]]; then
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
    "$dir/tokens" >"$conf"
fi

SOFTHSM2_CONF=$conf node --input-type=module - "$module" "$label" "$dir/so-pin" "$dir/user-pin" <<'EOF'
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [modulePath, label, soPinFile, userPinFile] = process.argv.slice(2);
const pkcs11js = createRequire(`${process.cwd()}/`)('pkcs11js');
const p11 = new pkcs11js.PKCS11();
const fail = (message) => {
  console.error(`[softhsm-token] ${message}`);
  process.exit(1);
};
const readPin = (file) => readFileSync(file, 'utf8').replace(/\r?\n$/, '');
const makePin = (file) => {
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(16).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return readPin(file);
};
const tokens = () =>
  p11.C_GetSlotList(true).map((slot) => ({ slot, info: p11.C_GetTokenInfo(slot) }));
// CK_TOKEN_INFO.label is blank-padded (PKCS#11 v2.40 §3.2); some writers pad with NULs instead.
const labelled = () => tokens().filter(({ info }) => info.label.replace(/[ \0]+$/, '') === label);
const withSession = (slot, userType, pin, action) => {
  const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    p11.C_Login(session, userType, pin);
    action(session);
    p11.C_Logout(session);
  } finally {
    p11.C_CloseSession(session);
  }
};

if (Buffer.byteLength(label) > 32) fail(`token label '${label}' is longer than 32 bytes`);
p11.load(modulePath);
p11.C_Initialize();
try {
  const existing = labelled();
  if (existing.length > 1) fail(`${existing.length} tokens are labelled '${label}'`);
  if (existing.length === 1) {
    if (!existsSync(userPinFile)) fail(`token '${label}' exists but ${userPinFile} is missing: remove the directory to start over`);
    try {
      withSession(existing[0].slot, pkcs11js.CKU_USER, readPin(userPinFile), () => {});
    } catch (error) {
      fail(`token '${label}' exists but the user PIN in ${userPinFile} does not log in (${error.message})`);
    }
    console.error(`[softhsm-token] token '${label}' already present`);
  } else {
    const free = tokens().find(({ info }) => (info.flags & pkcs11js.CKF_TOKEN_INITIALIZED) === 0);
    if (free === undefined) fail('no free SoftHSM slot');
    const soPin = makePin(soPinFile);
    const userPin = makePin(userPinFile);
    p11.C_InitToken(free.slot, soPin, label.padEnd(32, ' ')); // pkcs11js would pad with NULs
    const [created] = labelled(); // SoftHSM gives the initialized token a new slot ID
    withSession(created.slot, pkcs11js.CKU_SO, soPin, (session) => p11.C_InitPIN(session, userPin));
    console.error(`[softhsm-token] created token '${label}'`);
  }
} finally {
  p11.C_Finalize();
}
EOF

printf 'export SOFTHSM2_CONF=%q\n' "$conf"
printf 'export INGRAIN_HSM_MODULE=%q\n' "$module"
printf 'export INGRAIN_HSM_TOKEN_LABEL=%q\n' "$label"
printf 'export INGRAIN_HSM_PIN_FILE=%q\n' "$dir/user-pin"
