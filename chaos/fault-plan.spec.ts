import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planFaults } from './fault-plan.js';
import { SeededRandom } from './random.js';
import { parseScenario, ScenarioError } from './scenario.js';

describe('the chaos scenario and its fault plan', () => {
  test('a seed gives the same plan; counts scale with the devices; Redis alternates without and with persistence', () => {
    const scenario = parseScenario(['--seed', '42', '--devices', '200', '--minutes', '4']);
    assert.deepEqual(
      [scenario.stationKills, scenario.apiKills, scenario.redisRestarts, scenario.simFaults],
      [8, 4, 4, 25],
    );
    const plan = planFaults(scenario, new SeededRandom(42));
    assert.deepEqual(plan, planFaults(scenario, new SeededRandom(42)));
    assert.notDeepEqual(plan, planFaults(scenario, new SeededRandom(43)));
    const kinds = plan.processFaults.map((fault) => fault.kind);
    assert.deepEqual(
      [kinds.filter((k) => k === 'station-kill').length, kinds.filter((k) => k === 'api-kill').length],
      [8, 4],
    );
    const redis = plan.processFaults.flatMap((fault) => (fault.kind === 'redis-restart' ? [fault.persistence] : []));
    assert.deepEqual(redis.sort(), [false, false, true, true]);
    assert.equal(plan.simFaults.length, 25);
    const times = plan.processFaults.map((fault) => fault.atMs);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'in time order',
    );
    assert.ok(
      times.every((at) => at >= 0.05 * 240_000 && at <= 0.85 * 240_000),
      'inside the window',
    );
  });

  test('kills favour the busy phases (writing, reporting)', () => {
    const scenario = parseScenario(['--seed', '1', '--devices', '2000', '--station-kills', '1000']);
    const phases = planFaults(scenario, new SeededRandom(1)).processFaults.flatMap((fault) =>
      fault.kind === 'station-kill' ? [fault.phase] : [],
    );
    const busy = phases.filter((phase) => phase === 'writing' || phase === 'reporting').length;
    assert.ok(busy > 0.7 * phases.length, `${busy} of ${phases.length}`);
  });

  test('a bad flag is refused, naming it', () => {
    assert.throws(
      () => parseScenario(['--devices', '0']),
      (error: unknown) => {
        assert.ok(error instanceof ScenarioError);
        assert.match(error.message, /^--devices: /);
        return true;
      },
    );
    assert.throws(() => parseScenario(['--bogus']), ScenarioError);
  });
});
