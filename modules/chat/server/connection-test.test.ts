import { describe, expect, it } from 'vitest';
import { MatrixClient } from './matrix/client.ts';
import { testMatrixConnection } from './connection-test.ts';

/** Synapse's answers at the network boundary (the real one: chat.synapse.test.ts). */
const client = (answer: () => Response | Promise<Response>) => () =>
  new MatrixClient({
    baseUrl: 'http://synapse.test',
    serverName: 'afenda.test',
    asToken: 'as-token',
    botLocalpart: 'afenda',
    fetch: async () => answer(),
  });
const json = (status: number, body: object) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe("Team chat's Test connection", () => {
  const base = { missing: [], baseUrl: 'http://synapse.test', botUserId: '@afenda:afenda.test' };

  it('says what the environment lacks', async () => {
    expect(
      await testMatrixConnection({
        ...base,
        missing: ['MATRIX_AS_TOKEN'],
        client: client(() => json(200, {})),
      }),
    ).toMatchObject({
      ok: false,
      summary: expect.stringMatching(/^Team chat needs MATRIX_AS_TOKEN/),
    });
  });

  it('tells an unknown token, another bot and an unreachable Synapse apart', async () => {
    expect(
      await testMatrixConnection({
        ...base,
        client: client(() => json(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Unknown token' })),
      }),
    ).toMatchObject({
      ok: false,
      summary: expect.stringMatching(/^Synapse does not know the appservice token/),
    });
    expect(
      await testMatrixConnection({
        ...base,
        client: client(() => json(200, { user_id: '@other:afenda.test' })),
      }),
    ).toMatchObject({
      ok: false,
      summary: expect.stringMatching(/^Synapse answered as @other:afenda.test/),
    });
    expect(
      await testMatrixConnection({
        ...base,
        client: client(() => {
          throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
        }),
      }),
    ).toMatchObject({
      ok: false,
      summary: 'Synapse did not answer at http://synapse.test: connect ECONNREFUSED.',
    });
  });
});
