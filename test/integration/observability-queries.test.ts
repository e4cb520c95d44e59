// ops/grafana/ingrain-line.json and ops/prometheus/alerts.yml name only metrics the code exports:
// the names come from the registries at run time (a real API's /metrics, the station's registry as
// its worker serves it), not from a list kept by hand. The alert rules file parses (YAML, and
// `promtool check rules` where Debian's prometheus package is installed) and every rule says what
// it is about.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { StationMetrics } from '../../apps/station/src/worker/metrics/station-metrics.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { REPO_ROOT } from '../../testkit/paths.js';

const run = promisify(execFile);
const DASHBOARD = `${REPO_ROOT}/ops/grafana/ingrain-line.json`;
const ALERTS = `${REPO_ROOT}/ops/prometheus/alerts.yml`;

/** Series names of an exposition's metric families (a histogram's _bucket, _sum and _count). */
function seriesNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type] = match;
    names.add(name);
    if (type === 'histogram' || type === 'summary')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

/**
 * The metric names a PromQL expression reads: its identifiers outside label matchers (`{…}`),
 * grouping clauses (`by (…)`), ranges (`[…]`) and strings, minus PromQL's functions, aggregations
 * and keywords.
 */
function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const words = stripped.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? [];
  return [...new Set(words.filter((word) => !PROMQL_WORDS.has(word)))];
}

const PROMQL_WORDS = new Set([
  ...['sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group'],
  ...['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'predict_linear', 'histogram_quantile', 'clamp_min'],
  ...['clamp_max', 'clamp', 'abs', 'absent', 'absent_over_time', 'min_over_time', 'max_over_time', 'avg_over_time'],
  ...['sum_over_time', 'count_over_time', 'last_over_time', 'changes', 'resets', 'time', 'timestamp', 'vector'],
  ...['scalar', 'sort', 'sort_desc', 'label_replace', 'label_join', 'round', 'floor', 'ceil', 'ln', 'exp'],
  ...['and', 'or', 'unless', 'bool', 'offset'],
]);

function dashboardExprs(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}

interface Rule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

function alertRules(): Rule[] {
  const document = parseYaml(readFileSync(ALERTS, 'utf8')) as { groups?: { name?: unknown; rules?: Rule[] }[] };
  assert.ok(Array.isArray(document.groups) && document.groups.length > 0, 'alerts.yml has groups');
  return document.groups.flatMap((group) => {
    assert.equal(typeof group.name, 'string', 'every group is named');
    assert.ok(Array.isArray(group.rules) && group.rules.length > 0, `group ${String(group.name)} has rules`);
    return group.rules;
  });
}

describe('ops/: dashboard and alert rules against the exported metrics', () => {
  let api: TestApi;
  let exported: Set<string>;

  before(async () => {
    api = await startTestApi();
    const apiExposition = (await api.http().get('/metrics')).text;
    const station = new StationMetrics(() => Promise.resolve(0));
    exported = new Set([...seriesNames(apiExposition), ...seriesNames(await station.registry.metrics())]);
  });
  after(async () => {
    await api?.close();
  });

  test('the name extraction finds names and skips functions, labels and ranges', () => {
    assert.deepEqual(
      metricNamesOf('sum by (le, phase) (rate(ingrain_x_bucket{phase="write",le=~"1|2"}[5m])) / clamp_min(up, 1)'),
      ['ingrain_x_bucket', 'up'],
    );
    assert.ok(exported.has('ingrain_stations') && exported.has('ingrain_station_spool_reports'));
    assert.ok(!exported.has('up'), 'a name nothing exports is not found');
  });

  test('every dashboard query names only exported metrics', () => {
    const exprs = dashboardExprs();
    assert.ok(exprs.length >= 8);
    for (const expr of exprs) {
      const names = metricNamesOf(expr.replaceAll('$window', '1h'));
      assert.ok(names.length > 0, `names a metric: ${expr}`);
      for (const name of names)
        assert.ok(exported.has(name), `${name} (in ${expr}) is exported by the API or a station`);
    }
  });

  test('the dashboard shows yield, devices/hour, failures, link errors, phases, spool, queue, stations', () => {
    const all = dashboardExprs().join('\n');
    for (const name of [
      'ingrain_provisioning_outcomes_total',
      'ingrain_station_link_errors_total',
      'ingrain_station_cycle_phase_duration_seconds_bucket',
      'ingrain_station_spool_reports',
      'ingrain_queue_jobs',
      'ingrain_stations',
    ])
      assert.ok(all.includes(name), name);
  });

  test('every alert rule is complete and names only exported metrics', () => {
    const rules = alertRules();
    const names = rules.map((rule) => rule.alert);
    for (const expected of [
      'IngrainStationOffline',
      'IngrainYieldDrop',
      'IngrainQueueGrowing',
      'IngrainSpoolNotDraining',
      'IngrainHsmNotReady',
      'IngrainRedisNotReady',
    ])
      assert.ok(names.includes(expected), expected);
    assert.equal(new Set(names).size, names.length, 'alert names are unique');
    for (const rule of rules) {
      assert.equal(typeof rule.alert, 'string');
      assert.equal(typeof rule.expr, 'string', `${String(rule.alert)}: expr`);
      assert.match(String(rule.for), /^\d+[smh]$/, `${String(rule.alert)}: for`);
      assert.ok(['page', 'warn'].includes(String(rule.labels?.['severity'])), `${String(rule.alert)}: severity`);
      assert.equal(typeof rule.annotations?.['summary'], 'string', `${String(rule.alert)}: summary`);
      for (const name of metricNamesOf(String(rule.expr)))
        assert.ok(exported.has(name), `${name} (alert ${String(rule.alert)}) is exported`);
    }
  });

  test('promtool accepts the rules file (where Debian prometheus is installed)', async (t) => {
    const checked = await run('promtool', ['check', 'rules', ALERTS]).catch((error: NodeJS.ErrnoException) => error);
    if (checked instanceof Error && checked.code === 'ENOENT') {
      t.skip('promtool is not installed (apt-get install prometheus)');
      return;
    }
    assert.ok(!(checked instanceof Error), checked instanceof Error ? checked.message : '');
    assert.match(checked.stdout, /SUCCESS: \d+ rules found/);
  });
});
