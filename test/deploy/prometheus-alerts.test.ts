/**
 * deploy/prometheus/parley-alerts.yml: well-formed Prometheus rules, and every `parley_*` metric an expression names
 * is one a running `parley serve` exposes on /metrics (a renamed or removed metric would leave an alert that never
 * fires).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { startServe } from '../support/cli.ts';

const FILE = resolve(import.meta.dirname, '../../deploy/prometheus/parley-alerts.yml');

interface Rule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

function rules(): Rule[] {
  const document = parse(readFileSync(FILE, 'utf8')) as { groups?: { name?: unknown; rules?: Rule[] }[] };
  assert.ok(Array.isArray(document.groups) && document.groups.length > 0, 'groups');
  return document.groups.flatMap((group) => {
    assert.equal(typeof group.name, 'string', 'each group has a name');
    assert.ok(Array.isArray(group.rules) && group.rules.length > 0, `rules of ${String(group.name)}`);
    return group.rules;
  });
}

/** The metric names of an expression: identifiers starting parley_ (label values and strings are not names). */
function parleyMetrics(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...withoutStrings.matchAll(/\bparley_[a-z0-9_]+\b/g)].map((m) => m[0]);
}

describe('deploy/prometheus/parley-alerts.yml', () => {
  it('every rule is an alert with an expression, a severity and a summary; names are unique; brackets balance', () => {
    const all = rules();
    const names = all.map((r) => r.alert);
    assert.equal(new Set(names).size, names.length, 'unique alert names');
    for (const rule of all) {
      assert.match(String(rule.alert), /^Parley[A-Za-z0-9]+$/);
      assert.equal(typeof rule.expr, 'string', `${String(rule.alert)}: expr`);
      assert.ok(
        ['critical', 'warning', 'info'].includes(String(rule.labels?.severity)),
        `${String(rule.alert)}: severity`,
      );
      assert.equal(typeof rule.annotations?.summary, 'string', `${String(rule.alert)}: summary`);
      if (rule.for !== undefined) assert.match(String(rule.for), /^\d+[smh]$/, `${String(rule.alert)}: for`);
      let depth = 0;
      for (const c of String(rule.expr).replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
        depth += c === '(' || c === '{' || c === '[' ? 1 : c === ')' || c === '}' || c === ']' ? -1 : 0;
        assert.ok(depth >= 0, `${String(rule.alert)}: a bracket closes before it opens`);
      }
      assert.equal(depth, 0, `${String(rule.alert)}: brackets balance`);
    }
    // What docs/operations.md promises an alert for.
    const expressions = all.map((r) => String(r.expr)).join('\n');
    for (const needed of [
      'parley_outbox_oldest_queued_age_seconds',
      'parley_outbox_oldest_due_age_seconds',
      'parley_outbox_entries{status="failed"}',
      'parley_outbox_entries{status="deferred"}',
      'parley_inbound_held',
      'parley_processes_alive{role="dispatch"}',
      'parley_dispatcher_heartbeat_age_seconds',
      'up{job="parley"} == 0',
      'parley_http_requests_total{status=~"5.."}',
    ])
      assert.ok(expressions.includes(needed), `an alert on ${needed}`);
  });

  it('every parley_* metric the rules name is exposed by a running parley serve', async () => {
    const named = new Set(rules().flatMap((r) => parleyMetrics(String(r.expr))));
    assert.ok(named.size >= 6, [...named].join(', '));
    const dir = mkdtempSync(join(tmpdir(), 'parley-alerts-'));
    const server = await startServe([], {
      PARLEY_DATA_DIR: dir,
      PARLEY_SECRET_KEY: 'alerts-test-secret-key-0123456789abcdef',
      PARLEY_MAIL_DOMAIN: 'desk.example.test',
    });
    try {
      // One request first, so the request counter has a series.
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      const response = await fetch(`${server.url}/metrics`);
      assert.equal(response.status, 200);
      const body = await response.text();
      const exposed = new Set([...body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
      const missing = [...named].filter((name) => !exposed.has(name));
      assert.deepEqual(missing, [], `named by an alert but not on /metrics: ${missing.join(', ')}`);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
