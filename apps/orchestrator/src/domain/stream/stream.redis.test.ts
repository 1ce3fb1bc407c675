import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { STREAM_CHANNEL } from './fanout.ts';
import { threeProcessScenario } from '../../testing/stream-scenario.ts';

const url = process.env.TEST_REDIS_URL as string;

describe('three orchestrator processes, fan-out by Redis pub/sub', () => {
  threeProcessScenario({
    env: { REDIS_URL: url, STREAM_FANOUT: 'redis' },
    fanout: async (tdb, expected) => {
      const redis = new Redis(url);
      try {
        const [, subscribers] = (await redis.pubsub('NUMSUB', STREAM_CHANNEL)) as [string, number];
        expect(subscribers).toBe(expected);
      } finally {
        redis.disconnect();
      }
      // And nobody LISTENs for the stream in the database (the job workers listen for theirs).
      const { rows } = await tdb.admin.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen afenda_stream'",
      );
      expect(rows[0]!.n).toBe(0);
    },
  });
});
