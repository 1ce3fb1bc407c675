/**
 * The reverse proxy's rule for live whiteboards (deploy/haproxy/haproxy.cfg, Debian's haproxy):
 * every request that names a board reaches one replica, whatever else its path or query says;
 * everything else is spread. Runs with TEST_HAPROXY=1 (.ci/run installs haproxy); fails, never
 * skips, when haproxy can't be started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@afenda/db';

const CONFIG = fileURLToPath(new URL('../../../deploy/haproxy/haproxy.cfg', import.meta.url));

interface Backend {
  name: string;
  server: Server;
  port: number;
}

const backends: Backend[] = [];
let proxy: ChildProcess;
let proxyUrl: string;
const proxyLog: string[] = [];

async function backend(name: string): Promise<Backend> {
  // Answers with its own name: which replica a request reached.
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(name);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const b = { name, server, port };
  backends.push(b);
  return b;
}

const reached = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${proxyUrl}${path}`, init);
  expect(res.status).toBe(200);
  return res.text();
};

async function until(what: string, check: () => Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; haproxy said: ${proxyLog.join('').slice(-2000)}`);
}

beforeAll(async () => {
  const [o1, o2, o3, s1, s2] = await Promise.all(
    ['o1', 'o2', 'o3', 's1', 's2'].map((n) => backend(n)),
  );
  const port = await freePort();
  proxyUrl = `http://127.0.0.1:${port}`;
  proxy = spawn('haproxy', ['-db', '-f', CONFIG], {
    env: {
      ...process.env,
      AFENDA_LISTEN: `127.0.0.1:${port}`,
      AFENDA_ORCHESTRATOR_1: `127.0.0.1:${o1!.port}`,
      AFENDA_ORCHESTRATOR_2: `127.0.0.1:${o2!.port}`,
      AFENDA_ORCHESTRATOR_3: `127.0.0.1:${o3!.port}`,
      AFENDA_SHELL_1: `127.0.0.1:${s1!.port}`,
      AFENDA_SHELL_2: `127.0.0.1:${s2!.port}`,
    },
  });
  proxy.on('error', (err) =>
    proxyLog.push(`could not run haproxy (apt-get install haproxy): ${err.message}`),
  );
  proxy.stdout?.on('data', (c: Buffer) => proxyLog.push(c.toString()));
  proxy.stderr?.on('data', (c: Buffer) => proxyLog.push(c.toString()));
  // Up once every orchestrator answers through it (round robin reaches all three).
  await until('haproxy to route to all three orchestrators', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await (await fetch(`${proxyUrl}/api/v1/me`)).text());
    return seen.size === 3;
  });
}, 60_000);

afterAll(async () => {
  proxy?.kill('SIGTERM');
  await Promise.all(backends.map((b) => new Promise((r) => b.server.close(r))));
});

const boardPaths = (id: string) => [
  `/api/v1/whiteboards/${id}/sync?ticket=first`,
  `/api/v1/whiteboards/${id}/sync?ticket=second`,
  `/api/v1/whiteboards/${id}`,
  `/api/v1/whiteboards/${id}/document`,
  `/api/v1/whiteboards/${id}/tickets`,
  `/api/v1/whiteboards/${id}/versions/3/restore`,
];

describe('the reverse proxy in front of three orchestrators and two Shells', () => {
  it('sends every request naming one board to one replica, and spreads the rest', async () => {
    const boards = Array.from({ length: 24 }, (_, i) => `0000000${i}-board`);
    const owner = new Map<string, string>();
    for (const id of boards) {
      const replicas = new Set<string>();
      for (const path of boardPaths(id)) replicas.add(await reached(path));
      expect([...replicas], id).toHaveLength(1);
      owner.set(id, [...replicas][0]!);
    }
    // Boards are shared out over the replicas, not all on one.
    expect(new Set(owner.values()).size).toBeGreaterThanOrEqual(2);
    // The rest of the API goes round the three; pages go round the two Shells.
    const api = new Set<string>();
    const pages = new Set<string>();
    for (let i = 0; i < 6; i++) {
      api.add(await reached('/api/v1/approvals'));
      pages.add(await reached('/app/inbox'));
    }
    expect([...api].sort()).toEqual(['o1', 'o2', 'o3']);
    expect([...pages].sort()).toEqual(['s1', 's2']);

    // A replica goes away: its boards move to the others, and no other board moves (the hash is
    // consistent), so the rooms on the surviving replicas keep their editors.
    const gone = backends.find((b) => b.name === [...owner.values()][0])!;
    const killedAt = Date.now();
    await new Promise((r) => gone.server.close(r));
    gone.server.closeAllConnections();
    await until('haproxy to take the dead replica out', async () => {
      for (let i = 0; i < 6; i++)
        if ((await fetch(`${proxyUrl}/api/v1/approvals`)).status !== 200) return false;
      return true;
    });
    process.stdout.write(
      `replica ${gone.name} gone: haproxy routed around it after ${Date.now() - killedAt} ms\n`,
    );
    for (const id of boards) {
      const now = await reached(boardPaths(id)[0]!);
      if (owner.get(id) === gone.name) expect(now).not.toBe(gone.name);
      else expect(now, id).toBe(owner.get(id));
    }
  }, 120_000);
});
