import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEVICE_STATES,
  DEVICE_TRANSITIONS,
  FINAL_DEVICE_STATES,
  assertTransition,
  canTransition,
  operatorActionSchema,
  type DeviceAction,
  type DeviceState,
} from './device-state.js';

const ACTIONS = Object.keys(DEVICE_TRANSITIONS) as DeviceAction[];

// docs/api.md, "Device state machine", written out edge by edge. The API's answer to each refusal
// (409 with the state and action) is checked in apps/api/src/http/library-errors.spec.ts.
const DOCUMENTED_EDGES: readonly [DeviceState, DeviceAction, DeviceState][] = [
  ['queued', 'claim', 'claimed'],
  ['claimed', 'provision', 'provisioned'],
  ['claimed', 'quarantine', 'quarantined'],
  ['claimed', 'release', 'queued'],
  ['queued', 'scrap', 'scrapped'],
  ['claimed', 'scrap', 'scrapped'],
];

void describe('device state machine', () => {
  void test('allows exactly the documented edges', () => {
    for (const state of DEVICE_STATES) {
      for (const action of ACTIONS) {
        const edge = DOCUMENTED_EDGES.find(([from, on]) => from === state && on === action);
        assert.equal(canTransition(state, action), edge !== undefined, `${state} --${action}-->`);
        if (edge === undefined) {
          assert.throws(() => assertTransition(state, action), {
            name: 'ContractError',
            code: 'DEVICE_STATE_CONFLICT',
            details: { state, action },
          });
        } else {
          assert.equal(assertTransition(state, action, { bytesWrittenReported: 0 }), edge[2]);
        }
      }
    }
  });

  void test('final states are never left', () => {
    assert.deepEqual([...FINAL_DEVICE_STATES].sort(), ['provisioned', 'quarantined', 'scrapped']);
    for (const state of FINAL_DEVICE_STATES) {
      for (const action of ACTIONS) assert.equal(canTransition(state, action), false, `${state} ${action}`);
    }
  });

  void test('a release is refused once a station reported bytes written to the chip', () => {
    assert.equal(assertTransition('claimed', 'release'), 'queued');
    assert.throws(() => assertTransition('claimed', 'release', { bytesWrittenReported: 1 }), {
      name: 'ContractError',
      code: 'DEVICE_RELEASE_REFUSED',
    });
    assert.equal(assertTransition('claimed', 'scrap', { bytesWrittenReported: 1 }), 'scrapped');
  });

  void test('operator actions need a reason of 3-500 characters, trimmed', () => {
    assert.deepEqual(operatorActionSchema.parse({ reason: '  chip fell off the line  ' }), {
      reason: 'chip fell off the line',
    });
    for (const body of [{}, { reason: '  x ' }, { reason: 'x'.repeat(501) }, { reason: 'ok!', extra: 1 }]) {
      assert.equal(operatorActionSchema.safeParse(body).success, false, JSON.stringify(body));
    }
  });
});
