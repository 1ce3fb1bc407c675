import { describe, expect } from 'vitest';
import { threeProcessScenario } from '../../testing/stream-scenario.ts';

describe('three orchestrator processes, fan-out by PostgreSQL LISTEN/NOTIFY', () => {
  threeProcessScenario({
    env: { STREAM_FANOUT: 'postgres' },
    fanout: async (tdb, expected) => {
      const { rows } = await tdb.admin.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen afenda_stream'",
      );
      expect(rows[0]!.n).toBe(expected);
    },
  });
});
