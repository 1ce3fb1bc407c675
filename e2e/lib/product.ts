/**
 * The whole product for an e2e run, started here on free ports with a fresh data folder: the
 * development OpenID provider (seeded from the realm export, with the Shell's URLs rewritten to
 * its port), the orchestrator (embedded PostgreSQL, demo data) and the Shell (`next start`).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKeycloak, type KeycloakServer } from '@afenda/test-utils/keycloak';
import { startCluster, type Cluster } from './cluster.ts';
import { suiteOrchestratorEnv } from './orchestrator-env.ts';
import {
  ROOT,
  freePorts,
  start,
  stopAll,
  waitForHttp,
  waitForOutput,
  type Proc,
} from './processes.ts';

export const SHELL_SECRET = 'afenda-shell-dev-secret';
/** The realm export's development default for the orchestrator's service account. */
const ORCHESTRATOR_SECRET = 'afenda-orchestrator-dev-secret';

export interface ProductOptions {
  /** Keep the Shell's sessions in this Redis instead of PostgreSQL. */
  redisUrl?: string;
  /** Use the Shell build that is there (otherwise `turbo run build`, cached). */
  skipBuild?: boolean;
  /** Access-token lifetime in the provider, seconds (default: the realm export's). */
  accessTokenLifespanS?: number;
  /** Extra environment for the orchestrator and the Shell. */
  orchestratorEnv?: Record<string, string>;
  /** The orchestrator's port, when a tool must know it in advance (Synapse's registration). */
  orchestratorPort?: number;
  shellEnv?: Record<string, string>;
  /**
   * A real Keycloak (fetched by scripts/keycloak.mjs, importing the same realm export) instead of
   * the development provider; the orchestrator then reads the directory from Keycloak.
   */
  keycloak?: boolean;
  /**
   * Several replicas behind the reverse proxy (E2E_CLUSTER=1 sets it): three orchestrators and
   * two Shells on one PostgreSQL server (TEST_DATABASE_URL, a fresh database) behind Debian's
   * haproxy with deploy/haproxy/haproxy.cfg; shellUrl and orchestratorUrl are the proxy's.
   */
  cluster?: boolean;
}

export interface PostgresState {
  port: number;
  appPassword: string;
  superPassword: string;
}

export interface Product {
  dataDir: string;
  issuer: string;
  idpOrigin: string;
  shellUrl: string;
  orchestratorUrl: string;
  shellPort: number;
  /** The development provider's process (none with a real Keycloak). */
  idp: Proc | undefined;
  orchestrator: Proc;
  shell: Proc;
  postgres: PostgresState;
  /** With `cluster`: every replica, and the proxy (orchestrator and shell are the first ones). */
  cluster?: Cluster;
  /** The embedded server's superuser URL (to look underneath row-level security). */
  superUrl: string;
  setupMs: number;
  stop(): Promise<void>;
}

export async function startProduct(options: ProductOptions = {}): Promise<Product> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'afenda-e2e-'));
  const [idpPort, freeOrchestratorPort, shellPort] = (await freePorts(3)) as [
    number,
    number,
    number,
  ];
  const orchestratorPort = options.orchestratorPort ?? freeOrchestratorPort;
  const cluster = options.cluster ?? process.env.E2E_CLUSTER === '1';
  // In a cluster both URLs are the proxy's (shellPort is the proxy's port).
  const proxyPort = cluster ? shellPort : undefined;
  let idpOrigin = `http://localhost:${idpPort}`;
  let issuer = `${idpOrigin}/realms/afenda`;
  let stopKeycloak: (() => Promise<void>) | undefined;
  const shellUrl = `http://localhost:${shellPort}`;
  const orchestratorUrl = `http://127.0.0.1:${proxyPort ?? orchestratorPort}`;
  let stopCluster: (() => Promise<void>) | undefined;
  const stop = async () => {
    await stopAll();
    await stopCluster?.().catch(() => undefined);
    await stopKeycloak?.().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    // The realm export, with the Shell's URLs on its port (the provider checks redirect URIs).
    const realm = JSON.parse(
      await readFile(path.join(ROOT, 'deploy/keycloak/realm-afenda.json'), 'utf8'),
    ) as { clients: Record<string, unknown>[]; accessTokenLifespan: number };
    if (options.accessTokenLifespanS) realm.accessTokenLifespan = options.accessTokenLifespanS;
    const shellClient = realm.clients.find((c) => c.clientId === 'afenda-shell');
    if (!shellClient) throw new Error('the realm export has no afenda-shell client');
    const onPort = (value: unknown): unknown =>
      JSON.parse(
        JSON.stringify(value)
          .replaceAll('localhost:3000', `localhost:${shellPort}`)
          .replaceAll('127.0.0.1:3000', `127.0.0.1:${shellPort}`),
      );
    Object.assign(shellClient, onPort(shellClient));
    (shellClient.attributes as Record<string, string>)['backchannel.logout.url'] =
      `http://127.0.0.1:${shellPort}/auth/backchannel-logout`;
    // The API reference's client: its redirect URI on the orchestrator's port.
    const docsClient = realm.clients.find((c) => c.clientId === 'afenda-api-docs');
    if (docsClient)
      Object.assign(
        docsClient,
        JSON.parse(
          JSON.stringify(docsClient)
            .replaceAll('localhost:8000', `localhost:${proxyPort ?? orchestratorPort}`)
            .replaceAll('127.0.0.1:8000', `127.0.0.1:${proxyPort ?? orchestratorPort}`),
        ),
      );
    const realmFile = path.join(dataDir, 'realm-afenda.json');
    await writeFile(realmFile, JSON.stringify(realm, null, 2));

    const t0 = performance.now();
    let idp: Proc | undefined;
    let keycloak: KeycloakServer | undefined;
    if (options.keycloak) {
      keycloak = await startKeycloak({ realmFile });
      stopKeycloak = () => keycloak!.stop();
      issuer = keycloak.issuer;
      idpOrigin = keycloak.url;
    } else {
      idp = start('dev-idp', ['--import', 'tsx', 'apps/dev-idp/src/server.ts'], {
        NODE_ENV: 'development',
        DEV_IDP_PORT: String(idpPort),
        DEV_IDP_PUBLIC_URL: idpOrigin,
        DATA_DIR: dataDir,
        REALM_EXPORT_FILE: realmFile,
      });
    }
    if (cluster) {
      if (options.keycloak) throw new Error('E2E_CLUSTER runs with the development provider');
      if (idp) await waitForOutput(idp, /development identity provider ready/, 60_000);
      const c = await startCluster({
        dataDir,
        proxyPort: proxyPort!,
        shellUrl,
        orchestratorUrl,
        issuer,
        idpOrigin,
        realmFile,
        skipBuild: options.skipBuild ?? false,
        orchestratorEnv: options.orchestratorEnv ?? {},
        shellEnv: {
          ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
          ...options.shellEnv,
        },
      });
      stopCluster = c.stop;
      return {
        dataDir,
        issuer,
        idpOrigin,
        shellUrl,
        orchestratorUrl,
        shellPort,
        idp,
        orchestrator: c.orchestrators[0]!,
        shell: c.shells[0]!,
        postgres: c.postgres,
        cluster: c,
        superUrl: c.superUrl,
        setupMs: Math.round(performance.now() - t0),
        stop,
      };
    }
    const orchestrator = start(
      'orchestrator',
      ['--import', 'tsx', 'apps/orchestrator/src/server.ts'],
      {
        ...suiteOrchestratorEnv({
          port: orchestratorPort,
          dataDir,
          idpOrigin,
          realmFile,
          shellUrl,
          orchestratorUrl,
          keycloak: keycloak && { issuer: keycloak.issuer, clientSecret: ORCHESTRATOR_SECRET },
        }),
        DATABASE_URL: '',
        ...options.orchestratorEnv,
      },
    );
    const build = options.skipBuild
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
    if (idp) await waitForOutput(idp, /development identity provider ready/, 60_000);
    await waitForOutput(orchestrator, /orchestrator ready/, 120_000);
    if (build) {
      const code = await build.exited;
      if (code !== 0)
        throw new Error(`the Shell build failed:\n${build.output.slice(-20).join('\n')}`);
    }
    const postgres = JSON.parse(
      await readFile(path.join(dataDir, 'postgres', 'state.json'), 'utf8'),
    ) as PostgresState;
    const shell = start(
      'shell',
      [
        'node_modules/next/dist/bin/next',
        'start',
        'apps/shell',
        '--port',
        String(shellPort),
        '--hostname',
        '127.0.0.1',
      ],
      {
        NEXT_TELEMETRY_DISABLED: '1',
        ORCHESTRATOR_URL: orchestratorUrl,
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_SECRET: SHELL_SECRET,
        SHELL_PUBLIC_URL: shellUrl,
        DATABASE_URL: `postgres://afenda_app:${encodeURIComponent(postgres.appPassword)}@127.0.0.1:${postgres.port}/postgres`,
        REDIS_URL: options.redisUrl ?? '',
        ...options.shellEnv,
      },
    );
    await waitForHttp(`http://127.0.0.1:${shellPort}/auth/error`, 60_000);
    return {
      dataDir,
      issuer,
      idpOrigin,
      shellUrl,
      orchestratorUrl,
      shellPort,
      idp,
      orchestrator,
      shell,
      postgres,
      superUrl: `postgres://postgres:${encodeURIComponent(postgres.superPassword)}@127.0.0.1:${postgres.port}/postgres`,
      setupMs: Math.round(performance.now() - t0),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
