import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { videoSettingsSchema } from './settings.ts';
import { testJitsiConnection } from './connection-test.ts';

const SECRET = 'a-jitsi-app-secret-of-at-least-32-characters';
let server: Server;
let url: string;
const served: string[] = [];

beforeAll(async () => {
  // Jitsi Meet's web server at the network boundary: it serves config.js (or, here, a 503).
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    if (req.url === '/config.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' });
      res.end('var config = {};');
    } else {
      res.writeHead(503).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const settings = (over: Record<string, string> = {}) =>
  videoSettingsSchema.parse({
    JITSI_URL: url,
    JITSI_APP_ID: 'orchestrator',
    JITSI_APP_SECRET: SECRET,
    ...over,
  });

describe("Meetings' Test connection", () => {
  it('signs a token that verifies with the configured key, and finds Jitsi Meet answering', async () => {
    const result = await testJitsiConnection(settings(), { fetch });
    expect(result).toEqual({
      ok: true,
      summary: `Jitsi Meet answered at ${url}; tokens are signed HS256 for app id “orchestrator” and verify with the configured key.`,
      target: `${url}/config.js`,
    });
    expect(served.at(-1)).toBe('/config.js');
  });

  it('says what is missing, what answered wrong, and what did not answer', async () => {
    expect(await testJitsiConnection(videoSettingsSchema.parse({}), { fetch })).toMatchObject({
      ok: false,
      summary: 'Meetings need JITSI_URL and JITSI_APP_ID in the orchestrator’s environment.',
    });
    expect(
      await testJitsiConnection(settings({ JITSI_URL: `${url}/sub` }), { fetch }),
    ).toMatchObject({ ok: false, summary: expect.stringMatching(/^Jitsi Meet answered 503 at /) });
    expect(
      await testJitsiConnection(settings({ JITSI_URL: 'http://127.0.0.1:9' }), { fetch }),
    ).toMatchObject({
      ok: false,
      summary: expect.stringMatching(/^Jitsi Meet did not answer at http:\/\/127\.0\.0\.1:9: /),
    });
  });
});
