/**
 * The product as production runs it, for the e2e suites (E2E_CLUSTER=1) and the fault drills
 * (e2e/cluster-faults.e2e.ts): three orchestrator replicas and two Shell replicas on one
 * PostgreSQL server (TEST_DATABASE_URL: a fresh database and application role per run) and,
 * when TEST_REDIS_URL is set, one Redis (the live stream's fan-out, the Shell's sessions),
 * behind Debian's haproxy with deploy/haproxy/haproxy.cfg, so that one person's consecutive
 * requests land on different replicas. Fails, never skips, when a part cannot start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { suiteOrchestratorEnv } from './orchestrator-env.ts';
import type { PostgresState } from './product.ts';
import {
  ROOT,
  freePorts,
  sleep,
  start,
  waitForHttp,
  waitForOutput,
  type Proc,
} from './processes.ts';

const SHELL_SECRET = 'afenda-shell-dev-secret';
const HAPROXY_CONFIG = path.join(ROOT, 'deploy/haproxy/haproxy.cfg');

export interface Cluster {
  /** Replica i (0-based) is o<i+1> in haproxy.cfg; a restarted one is a new Proc here. */
  orchestrators: Proc[];
  shells: Proc[];
  ports: { orchestrators: number[]; shells: number[]; proxy: number };
  /** The database's superuser URL and the application role's. */
  superUrl: string;
  appUrl: string;
  postgres: PostgresState;
  redisUrl: string | undefined;
  proxyOutput: string[];
  /** SIGKILL replica i (no goodbye), then nothing: see startOrchestrator. */
  killOrchestrator(i: number): Promise<void>;
  /** Starts replica i again; resolves once it logged "orchestrator ready". */
  startOrchestrator(i: number): Promise<void>;
  /** Whether replica i answers /readyz with 200 (straight, not through the proxy). */
  ready(i: number): Promise<boolean>;
  /** What replica i's /readyz says (status and body), for a failure's message. */
  readiness(i: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startCluster(input: {
  dataDir: string;
  proxyPort: number;
  shellUrl: string;
  orchestratorUrl: string;
  issuer: string;
  idpOrigin: string;
  realmFile: string;
  skipBuild: boolean;
  orchestratorEnv: Record<string, string>;
  shellEnv: Record<string, string>;
}): Promise<Cluster> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl)
    throw new Error(
      'E2E_CLUSTER needs TEST_DATABASE_URL: a PostgreSQL superuser URL (.ci/run starts one)',
    );
  const redisUrl = process.env.TEST_REDIS_URL || undefined;
  const suffix = randomBytes(5).toString('hex');
  const dbName = `afenda_cluster_${suffix}`;
  const appRole = `afenda_cluster_${suffix}`;
  const appPassword = randomBytes(12).toString('hex');
  const root = new pg.Client({ connectionString: serverUrl });
  await root.connect();
  await root.query(`create database ${dbName}`).finally(() => root.end());
  const server = new URL(serverUrl);
  const withDb = (user: string, password: string) => {
    const u = new URL(serverUrl);
    u.username = user;
    u.password = password;
    u.pathname = `/${dbName}`;
    return u.toString();
  };
  const superUrl = withDb(decodeURIComponent(server.username), decodeURIComponent(server.password));
  const appUrl = withDb(appRole, appPassword);

  const [o1, o2, o3, s1, s2] = (await freePorts(5)) as number[];
  const orchestratorPorts = [o1!, o2!, o3!];
  const shellPorts = [s1!, s2!];
  // One of each secret for every replica: tickets, settings, sessions (production requires it).
  const shared = {
    WHITEBOARD_TICKET_SECRET: randomBytes(32).toString('base64'),
    SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  const orchestrators: Proc[] = [];
  const startOrchestrator = async (i: number) => {
    const proc = start(
      `orchestrator-${i + 1}`,
      ['--import', 'tsx', 'apps/orchestrator/src/server.ts'],
      {
        ...suiteOrchestratorEnv({
          port: orchestratorPorts[i]!,
          dataDir: input.dataDir,
          idpOrigin: input.idpOrigin,
          realmFile: input.realmFile,
          shellUrl: input.shellUrl,
          orchestratorUrl: input.orchestratorUrl,
        }),
        DATABASE_URL: appUrl,
        DATABASE_ADMIN_URL: superUrl,
        DATABASE_POOL_MAX: '8',
        TRUST_PROXY: 'true',
        REDIS_URL: redisUrl ?? '',
        ...shared,
        ...input.orchestratorEnv,
      },
    );
    orchestrators[i] = proc;
    await waitForOutput(proc, /orchestrator ready/, 120_000);
  };

  const proxyOutput: string[] = [];
  let proxy: ChildProcess | undefined;
  const shells: Proc[] = [];
  const stop = async () => {
    proxy?.kill('SIGTERM');
    for (const proc of [...orchestrators, ...shells]) {
      if (proc.child.exitCode === null) {
        proc.child.kill('SIGTERM');
        await Promise.race([proc.exited, sleep(10_000)]);
      }
    }
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(`drop database if exists ${dbName} with (force)`);
      await c.query(`drop role if exists ${appRole}`);
    } finally {
      await c.end();
    }
  };
  try {
    const build = input.skipBuild
      ? undefined
      : start(
          'build',
          [
            'node_modules/turbo/bin/turbo',
            'run',
            'build',
            '--filter=@afenda/shell',
            '--output-logs=errors-only',
          ],
          { NEXT_TELEMETRY_DISABLED: '1', TURBO_TELEMETRY_DISABLED: '1' },
        );
    // The first migrates and seeds; the others start on a schema that is there.
    await startOrchestrator(0);
    await Promise.all([startOrchestrator(1), startOrchestrator(2)]);
    if (build) {
      const code = await build.exited;
      if (code !== 0)
        throw new Error(`the Shell build failed:\n${build.output.slice(-20).join('\n')}`);
    }

    proxy = spawn('haproxy', ['-db', '-f', HAPROXY_CONFIG], {
      env: {
        ...process.env,
        AFENDA_LISTEN: `127.0.0.1:${input.proxyPort}`,
        AFENDA_ORCHESTRATOR_1: `127.0.0.1:${o1}`,
        AFENDA_ORCHESTRATOR_2: `127.0.0.1:${o2}`,
        AFENDA_ORCHESTRATOR_3: `127.0.0.1:${o3}`,
        AFENDA_SHELL_1: `127.0.0.1:${s1}`,
        AFENDA_SHELL_2: `127.0.0.1:${s2}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proxy.on('error', (err) =>
      proxyOutput.push(`could not run haproxy (apt-get install haproxy): ${err.message}`),
    );
    for (const stream of [proxy.stdout, proxy.stderr])
      stream?.on('data', (c: Buffer) =>
        proxyOutput.push(...c.toString().split('\n').filter(Boolean)),
      );

    for (let i = 0; i < shellPorts.length; i++) {
      shells.push(
        start(
          `shell-${i + 1}`,
          [
            'node_modules/next/dist/bin/next',
            'start',
            'apps/shell',
            '--port',
            String(shellPorts[i]),
            '--hostname',
            '127.0.0.1',
          ],
          {
            NEXT_TELEMETRY_DISABLED: '1',
            ORCHESTRATOR_URL: input.orchestratorUrl,
            OIDC_ISSUER: input.issuer,
            OIDC_CLIENT_SECRET: SHELL_SECRET,
            SHELL_PUBLIC_URL: input.shellUrl,
            DATABASE_URL: appUrl,
            REDIS_URL: redisUrl ?? '',
            ...input.shellEnv,
          },
        ),
      );
    }
    for (const port of shellPorts) await waitForHttp(`http://127.0.0.1:${port}/auth/error`, 60_000);
    // Through the proxy: the API (all three replicas checked ready by haproxy) and a page.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const api = await fetch(`${input.orchestratorUrl}/healthz`).catch(() => null);
      const page = await fetch(`${input.shellUrl}/auth/error`).catch(() => null);
      if (api?.ok && page?.ok) break;
      if (proxy.exitCode !== null || Date.now() > deadline)
        throw new Error(`haproxy is not serving: ${proxyOutput.slice(-20).join('\n')}`);
      await sleep(200);
    }
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }

  return {
    orchestrators,
    shells,
    ports: { orchestrators: orchestratorPorts, shells: shellPorts, proxy: input.proxyPort },
    superUrl,
    appUrl,
    postgres: {
      port: Number(server.port || 5432),
      appPassword,
      superPassword: decodeURIComponent(server.password),
    },
    redisUrl,
    proxyOutput,
    async killOrchestrator(i) {
      const proc = orchestrators[i]!;
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
    startOrchestrator,
    async ready(i) {
      const res = await fetch(`http://127.0.0.1:${orchestratorPorts[i]}/readyz`, {
        signal: AbortSignal.timeout(2000),
      }).catch(() => null);
      await res?.body?.cancel();
      return res?.status === 200;
    },
    async readiness(i) {
      const res = await fetch(`http://127.0.0.1:${orchestratorPorts[i]}/readyz`, {
        signal: AbortSignal.timeout(5000),
      }).catch((err: Error) => err);
      return res instanceof Error
        ? `o${i + 1}: ${res.message}`
        : `o${i + 1}: ${res.status} ${await res.text()}`;
    },
    stop,
  };
}
