import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ChipEvidence, type DeviceEvidence, type RunEvidence } from './evidence.js';
import { checkInvariants, type InvariantName } from './invariants.js';

const SERIAL_FIELD = { offsetBytes: 0, lengthBytes: 16 };
const OTP_BYTES = 512;
const LOCK_BYTES = 16;
const LOCKED_BLOCKS = [0, 1];

/** A chip holding `serial` at offset 0 with blocks 0 and 1 locked (or blank). */
function chip(uidHex: string, serial: string | undefined, extra: Partial<ChipEvidence> = {}): ChipEvidence {
  const data = Buffer.alloc(OTP_BYTES, 0xff);
  const locks = Buffer.alloc(LOCK_BYTES, 0xff);
  if (serial !== undefined) {
    data.write(serial, 0, 'ascii');
    for (const block of LOCKED_BLOCKS) locks[block] = 0x00;
  }
  const counts = Buffer.alloc(OTP_BYTES, 0);
  if (serial !== undefined) counts.fill(1, 0, serial.length);
  return {
    uidHex,
    where: serial === undefined ? 'fixture' : 'done',
    dataHex: data.toString('hex'),
    lockBytesHex: locks.toString('hex'),
    damaged: [],
    programCounts: { dataHex: counts.toString('hex'), lockHex: Buffer.alloc(LOCK_BYTES, 0).toString('hex') },
    ...extra,
  };
}

function device(index: number, extra: Partial<DeviceEvidence> = {}): DeviceEvidence {
  const chipUid = `c${index}`;
  return {
    id: `d${index}`,
    serial: `SN-T-${String(index).padStart(6, '0')}`,
    state: 'provisioned',
    chipUid,
    attestationLeafIndex: index,
    lockedBlocks: LOCKED_BLOCKS,
    history: [
      { toState: 'queued', reason: null, chipUid: null },
      { toState: 'claimed', reason: null, chipUid },
      { toState: 'provisioned', reason: null, chipUid },
    ],
    ...extra,
  };
}

/** Three devices provisioned on their chips, each attested once with a verified bundle. */
function healthy(): RunEvidence {
  const devices = [0, 1, 2].map((index) => device(index));
  return {
    devices,
    unansweredOrders: [],
    chips: [...devices.map((entry) => chip(entry.chipUid ?? '', entry.serial)), chip('blank', undefined)],
    log: devices.map((entry, leafIndex) => ({
      leafIndex,
      deviceId: entry.id,
      chipUid: entry.chipUid ?? '',
      verified: true,
    })),
    serialField: SERIAL_FIELD,
  };
}

function counts(evidence: RunEvidence): Partial<Record<InvariantName, number>> {
  return Object.fromEntries(
    checkInvariants(evidence)
      .filter((result) => result.count > 0)
      .map((result) => [result.name, result.count]),
  );
}

/** Replaces element `index` of `list`. */
function replace<T>(list: readonly T[], index: number, value: T): T[] {
  return list.map((entry, at) => (at === index ? value : entry));
}

describe('checkInvariants', () => {
  test('a healthy run breaks none', () => {
    assert.deepEqual(counts(healthy()), {});
  });

  test('devices lost: an unanswered order, a quarantine without a reason, a provisioned device whose chip is missing, holds another serial or is not locked', () => {
    const base = healthy();
    const quarantined = device(1, {
      state: 'quarantined',
      attestationLeafIndex: null,
      history: [{ toState: 'quarantined', reason: null, chipUid: 'c1' }],
    });
    const evidence: RunEvidence = {
      ...base,
      unansweredOrders: ['SN-T-000009'],
      devices: [device(0, { chipUid: 'gone' }), quarantined, device(2)],
      chips: replace(
        replace(base.chips, 2, { ...chip('c2', 'SN-T-000002'), lockBytesHex: 'ff'.repeat(LOCK_BYTES) }),
        1,
        chip('c1', undefined),
      ),
      log: [base.log[0]!, base.log[2]!],
    };
    const result = checkInvariants(evidence).find((entry) => entry.name === 'devices lost');
    assert.equal(result?.count, 4, result?.details.join('\n'));
    const wrongSerial: RunEvidence = { ...base, chips: replace(base.chips, 0, chip('c0', 'SN-T-000777')) };
    assert.equal(counts(wrongSerial)['devices lost'], 1);
  });

  test('identities on two chips: its serial on a second chip, or a second chip in its history', () => {
    const base = healthy();
    assert.deepEqual(counts({ ...base, chips: [...base.chips, chip('copy', 'SN-T-000000')] }), {
      'identities on two chips': 1,
    });
    const rebound = device(0, {
      history: [...device(0).history, { toState: 'claimed', reason: 'x', chipUid: 'other' }],
    });
    assert.deepEqual(counts({ ...base, devices: replace(base.devices, 0, rebound) }), { 'identities on two chips': 1 });
  });

  test('chips with two identities: two devices bound to one chip', () => {
    const base = healthy();
    const stolen = device(1, { chipUid: 'c0', history: [{ toState: 'claimed', reason: null, chipUid: 'c0' }] });
    const found = counts({
      ...base,
      devices: replace(base.devices, 1, stolen),
      log: replace(base.log, 1, { ...base.log[1]!, chipUid: 'c0' }),
    });
    assert.equal(found['chips with two identities'], 1);
  });

  test('attestations missing from the log: none, not in the log, failing verification, naming another chip', () => {
    const base = healthy();
    assert.equal(counts({ ...base, log: base.log.slice(1) })['attestations missing from the log'], 1);
    assert.equal(
      counts({ ...base, log: replace(base.log, 0, { ...base.log[0]!, verified: false }) })[
        'attestations missing from the log'
      ],
      1,
    );
    assert.equal(
      counts({ ...base, log: replace(base.log, 0, { ...base.log[0]!, chipUid: 'c9' }) })[
        'attestations missing from the log'
      ],
      1,
    );
  });

  test('attestations duplicated: two leaves for one device', () => {
    const base = healthy();
    assert.deepEqual(counts({ ...base, log: [...base.log, { ...base.log[0]!, leafIndex: 7 }] }), {
      'attestations duplicated': 1,
    });
  });

  test('bytes programmed twice: a count above one (same value rewritten) or a damage record', () => {
    const base = healthy();
    const twice = Buffer.alloc(OTP_BYTES, 0);
    twice[3] = 2;
    const rewritten = {
      ...base.chips[0]!,
      programCounts: { dataHex: twice.toString('hex'), lockHex: '00'.repeat(LOCK_BYTES) },
    };
    assert.deepEqual(counts({ ...base, chips: replace(base.chips, 0, rewritten) }), { 'bytes programmed twice': 1 });
    const damaged = { ...base.chips[1]!, damaged: [{ area: 'data' as const, offsetBytes: 5, reason: 'reprogrammed' }] };
    assert.deepEqual(counts({ ...base, chips: replace(base.chips, 1, damaged) }), { 'bytes programmed twice': 1 });
  });

  test('lock bytes other than 0x00/0xFF', () => {
    const base = healthy();
    const locks = Buffer.alloc(LOCK_BYTES, 0xff);
    locks[0] = 0x00;
    locks[1] = 0x00;
    locks[5] = 0x0f;
    const odd = { ...base.chips[0]!, lockBytesHex: locks.toString('hex') };
    assert.deepEqual(counts({ ...base, chips: replace(base.chips, 0, odd) }), { 'lock bytes other than 0x00/0xFF': 1 });
  });

  test('blank chips written against their image: a conflict quarantine (every chip comes blank)', () => {
    const base = healthy();
    const conflict = device(1, {
      state: 'quarantined',
      attestationLeafIndex: null,
      history: [{ toState: 'quarantined', reason: 'station-conflict', chipUid: 'c1' }],
    });
    assert.deepEqual(
      counts({ ...base, devices: replace(base.devices, 1, conflict), log: [base.log[0]!, base.log[2]!] }),
      {
        'blank chips written against their image': 1,
      },
    );
  });

  test('devices stuck: queued or claimed at the end', () => {
    const base = healthy();
    const stuck = device(3, { state: 'claimed', chipUid: null, attestationLeafIndex: null, history: [] });
    const queued = device(4, { state: 'queued', chipUid: null, attestationLeafIndex: null, history: [] });
    assert.deepEqual(counts({ ...base, devices: [...base.devices, stuck, queued] }), { 'devices stuck': 2 });
  });
});
