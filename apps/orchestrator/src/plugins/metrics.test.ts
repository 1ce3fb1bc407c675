import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../paths.ts';
import { startIdentityFixture, type IdentityFixture } from '../testing/fixture.ts';

let fx: IdentityFixture;

beforeAll(async () => {
  fx = await startIdentityFixture({ poolMax: 6 });
});
afterAll(async () => {
  await fx?.close();
});

/** The exposition's families: name → type, and each sample line. */
function parse(text: string) {
  const types = new Map<string, string>();
  const samples: string[] = [];
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) {
      expect(types.has(t[1]!), `${t[1]} declared twice`).toBe(false);
      types.set(t[1]!, t[2]!);
    } else if (line && !line.startsWith('#')) samples.push(line);
  }
  return { types, samples };
}

const value = (samples: string[], series: string) => {
  const line = samples.find((s) => s.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics: families an operator can alert on', () => {
  it('one type per name: counters end in _total, gauges never do, process metrics unprefixed', async () => {
    const { types } = parse((await fx.app.inject({ method: 'GET', url: '/metrics' })).body);
    for (const [name, type] of types) {
      // prom-client's own defaults keep their upstream names (nodejs_active_resources_total).
      if (!name.startsWith('afenda_')) continue;
      if (type === 'counter') expect(name, `counter ${name}`).toMatch(/_total$/);
      if (type === 'gauge') expect(name, `gauge ${name}`).not.toMatch(/_total$/);
    }
    expect(types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect([...types.keys()].some((n) => n.startsWith('afenda_process_'))).toBe(false);
    for (const [name, type] of [
      ['afenda_jobs_queued', 'gauge'],
      ['afenda_jobs_oldest_due_seconds', 'gauge'],
      ['afenda_webhook_deliveries', 'gauge'],
      ['afenda_outbound_actions', 'gauge'],
      ['afenda_dead_letters', 'gauge'],
      ['afenda_sync_runs', 'gauge'],
      ['afenda_sync_last_success_timestamp_seconds', 'gauge'],
      ['afenda_jwks_fetch_failures_total', 'counter'],
      ['afenda_stream_connections', 'gauge'],
      ['afenda_stream_events_delivered_total', 'counter'],
      ['afenda_stream_clients_cut_off_total', 'counter'],
      ['afenda_whiteboard_live_boards', 'gauge'],
    ])
      expect([name, types.get(name!)]).toEqual([name, type]);
  });

  it('says what waits and what is dead, and when each sync last succeeded', async () => {
    await fx.tdb.admin.query(
      `insert into outbound_actions (tenant_id, kind, subject_id, status, attempts, last_error)
       select id, 'example.metrics', 'metrics-test', 'dead', 5, 'no' from tenants
        where slug = 'acme' and kind = 'organization'`,
    );
    // The state is read at most every 5 s: the next read sees the row.
    await new Promise((r) => setTimeout(r, 5_100));
    const { samples } = parse((await fx.app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(value(samples, 'afenda_dead_letters{direction="outbound"}')).toBe(1);
    expect(value(samples, 'afenda_dead_letters{direction="webhook"}')).toBe(0);
    expect(value(samples, 'afenda_outbound_actions{kind="example.metrics",status="dead"}')).toBe(1);
    expect(value(samples, 'afenda_webhook_deliveries{status="failed"}')).toBe(0);
    const lastSync = value(
      samples,
      'afenda_sync_last_success_timestamp_seconds{source="realm-file"}',
    );
    expect(lastSync).toBeGreaterThan(Date.now() / 1000 - 3600);
    expect(lastSync).toBeLessThanOrEqual(Date.now() / 1000);
    expect(value(samples, 'afenda_whiteboard_live_boards')).toBe(0);
    expect(value(samples, 'afenda_stream_connections')).toBe(0);
  });
});

describe('the shipped dashboard and alert rules', () => {
  it('use only metric families /metrics serves', async () => {
    const { types } = parse((await fx.app.inject({ method: 'GET', url: '/metrics' })).body);
    for (const file of [
      'deploy/grafana/afenda-orchestrator.json',
      'deploy/prometheus/afenda-alerts.yml',
    ]) {
      const text = readFileSync(`${REPO_ROOT}/${file}`, 'utf8');
      const used = new Set(
        [...text.matchAll(/\b((?:afenda|process|nodejs)_[a-z0-9_]+)/g)].map((m) =>
          m[1]!.replace(/_bucket$/, ''),
        ),
      );
      expect(used.size, file).toBeGreaterThan(3);
      for (const name of used) expect([file, name, types.has(name)]).toEqual([file, name, true]);
    }
  });
});
