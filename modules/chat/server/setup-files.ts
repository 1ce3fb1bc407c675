/**
 * `afenda connect matrix`: what it writes and checks (connect-cli.ts is the command line around it).
 * The application-service registration and the homeserver.yaml fragment are JSON (JSON is YAML:
 * Synapse and scripts/synapse.mjs read them as they are), written the same way every time so
 * that a re-run changes nothing unless asked to (`--rotate`) or a setting changed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildRegistration,
  keycloakOidcProvider,
  randomToken,
  type AppserviceRegistration,
} from './setup.ts';

export const REGISTRATION_FILE = 'appservice-afenda.yaml';
export const FRAGMENT_FILE = 'homeserver-fragment.yaml';
/** The realm export's client for Synapse (deploy/keycloak/realm-afenda.json). */
export const SYNAPSE_CLIENT_ID = 'synapse';
/** Its secret's placeholder default in the realm export: development only. */
export const DEV_SYNAPSE_CLIENT_SECRET = 'afenda-synapse-dev-secret';

export const DEFAULTS = {
  PUBLIC_URL: 'http://localhost:8000',
  MATRIX_APPSERVICE_URL: 'http://localhost:8000',
  DEV_IDP_PUBLIC_URL: 'http://localhost:8080',
  MATRIX_HOMESERVER_URL: 'http://127.0.0.1:8008',
  MATRIX_SERVER_NAME: 'afenda.test',
  MATRIX_BOT_LOCALPART: 'afenda',
} as const;

type Env = Record<string, string | undefined>;

/** A mistake the operator can fix, told in one line (no stack trace). */
export class SetupError extends Error {}

/** An empty value means "not set", as in .env.example. */
const setting = (env: Env, key: string): string | undefined => env[key]?.trim() || undefined;

function httpUrl(env: Env, key: keyof typeof DEFAULTS): string {
  const value = setting(env, key) ?? DEFAULTS[key];
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new SetupError(`${key} must be an http(s) URL (got "${value}")`);
  }
  return value.replace(/\/+$/, '');
}

export interface SetupSettings {
  /** Where Synapse reaches the orchestrator: MATRIX_APPSERVICE_URL, else PUBLIC_URL. */
  orchestratorUrl: string;
  homeserverUrl: string;
  serverName: string;
  botLocalpart: string;
  issuer: string;
  clientSecret: string;
  /** Synapse's own database (SYNAPSE_DATABASE_URL), for the fragment's `database` section. */
  database?: SynapseDatabase;
  /** SYNAPSE_PUBLIC_BASEURL: where browsers reach Synapse (Keycloak sign-in comes back there). */
  publicBaseurl?: string;
}

export interface SynapseDatabase {
  name: 'psycopg2';
  args: {
    user: string;
    password: string;
    database: string;
    host: string;
    port: number;
    cp_min: number;
    cp_max: number;
  };
}

/** postgres://user:password@host:port/database → Synapse's psycopg2 section. */
export function synapseDatabase(url: string): SynapseDatabase {
  const u = URL.canParse(url) ? new URL(url) : null;
  if (!u || !/^postgres(ql)?:$/.test(u.protocol) || !u.hostname || u.pathname.length < 2) {
    throw new SetupError(
      'SYNAPSE_DATABASE_URL must look like postgres://synapse:<password>@synapse-db:5432/synapse',
    );
  }
  return {
    name: 'psycopg2',
    args: {
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: decodeURIComponent(u.pathname.slice(1)),
      host: u.hostname,
      port: Number(u.port || 5432),
      cp_min: 5,
      cp_max: 10,
    },
  };
}

/** The settings the generated files depend on, from the orchestrator's environment keys. */
export function setupSettings(env: Env): SetupSettings {
  const serverName = setting(env, 'MATRIX_SERVER_NAME') ?? DEFAULTS.MATRIX_SERVER_NAME;
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(serverName)) {
    throw new SetupError(`MATRIX_SERVER_NAME must be a host name, e.g. matrix.example.org`);
  }
  const botLocalpart = setting(env, 'MATRIX_BOT_LOCALPART') ?? DEFAULTS.MATRIX_BOT_LOCALPART;
  if (!/^[a-z0-9._=/-]+$/.test(botLocalpart)) {
    throw new SetupError(
      `MATRIX_BOT_LOCALPART may only hold a-z, 0-9 and . _ = - / (got "${botLocalpart}")`,
    );
  }
  // The issuer as the orchestrator computes it (apps/orchestrator/src/config.ts).
  const keycloakIssuer = setting(env, 'KEYCLOAK_ISSUER');
  if (keycloakIssuer && !/^https?:\/\/[^/]+.*\/realms\/[^/]+\/?$/.test(keycloakIssuer)) {
    throw new SetupError('KEYCLOAK_ISSUER must look like https://keycloak.example/realms/<realm>');
  }
  const issuer = (keycloakIssuer ?? `${httpUrl(env, 'DEV_IDP_PUBLIC_URL')}/realms/afenda`).replace(
    /\/+$/,
    '',
  );
  const clientSecret = setting(env, 'AFENDA_SYNAPSE_CLIENT_SECRET');
  if (!clientSecret && env.NODE_ENV === 'production') {
    throw new SetupError(
      "AFENDA_SYNAPSE_CLIENT_SECRET is required in production (the realm's synapse client secret)",
    );
  }
  const databaseUrl = setting(env, 'SYNAPSE_DATABASE_URL');
  const publicBaseurl = setting(env, 'SYNAPSE_PUBLIC_BASEURL');
  if (
    publicBaseurl &&
    !(URL.canParse(publicBaseurl) && /^https?:$/.test(new URL(publicBaseurl).protocol))
  ) {
    throw new SetupError(`SYNAPSE_PUBLIC_BASEURL must be an http(s) URL (got "${publicBaseurl}")`);
  }
  return {
    orchestratorUrl: setting(env, 'MATRIX_APPSERVICE_URL')
      ? httpUrl(env, 'MATRIX_APPSERVICE_URL')
      : httpUrl(env, 'PUBLIC_URL'),
    ...(databaseUrl ? { database: synapseDatabase(databaseUrl) } : {}),
    ...(publicBaseurl ? { publicBaseurl: `${publicBaseurl.replace(/\/+$/, '')}/` } : {}),
    homeserverUrl: httpUrl(env, 'MATRIX_HOMESERVER_URL'),
    serverName,
    botLocalpart,
    issuer,
    clientSecret: clientSecret ?? DEV_SYNAPSE_CLIENT_SECRET,
  };
}

export interface SetupResult {
  registration: AppserviceRegistration;
  fragment: HomeserverFragment;
  registrationFile: string;
  fragmentFile: string;
  /** Which files had to be (re)written: nothing when a re-run found them as they should be. */
  written: string[];
  /** Where the tokens came from. */
  tokens: 'environment' | 'existing registration' | 'generated';
  envLines: string[];
}

export interface HomeserverFragment {
  app_service_config_files: string[];
  oidc_providers: ReturnType<typeof keycloakOidcProvider>[];
  database?: SynapseDatabase;
  public_baseurl?: string;
}

/** The registration file as it is, or undefined when there is none (a broken one is an error). */
export function readRegistration(file: string): Partial<AppserviceRegistration> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<AppserviceRegistration>;
  } catch {
    throw new SetupError(
      `${file} is not the JSON registration this command writes; move it away or run with --rotate`,
    );
  }
}

function chooseTokens(
  env: Env,
  existing: Partial<AppserviceRegistration> | undefined,
  rotate: boolean,
): { asToken: string; hsToken: string; tokens: SetupResult['tokens'] } {
  if (rotate) return { asToken: randomToken(), hsToken: randomToken(), tokens: 'generated' };
  const asEnv = setting(env, 'MATRIX_AS_TOKEN');
  const hsEnv = setting(env, 'MATRIX_WEBHOOK_TOKEN');
  if (asEnv || hsEnv) {
    if (!asEnv || !hsEnv) {
      throw new SetupError(
        `MATRIX_AS_TOKEN and MATRIX_WEBHOOK_TOKEN are set together or not at all (only ${asEnv ? 'MATRIX_AS_TOKEN' : 'MATRIX_WEBHOOK_TOKEN'} is set)`,
      );
    }
    if (asEnv === hsEnv) {
      throw new SetupError('MATRIX_AS_TOKEN and MATRIX_WEBHOOK_TOKEN must differ');
    }
    for (const [key, value] of [
      ['MATRIX_AS_TOKEN', asEnv],
      ['MATRIX_WEBHOOK_TOKEN', hsEnv],
    ] as const) {
      if (value.length < 16) throw new SetupError(`${key} must be at least 16 characters`);
    }
    return { asToken: asEnv, hsToken: hsEnv, tokens: 'environment' };
  }
  if (typeof existing?.as_token === 'string' && typeof existing.hs_token === 'string') {
    return {
      asToken: existing.as_token,
      hsToken: existing.hs_token,
      tokens: 'existing registration',
    };
  }
  return { asToken: randomToken(), hsToken: randomToken(), tokens: 'generated' };
}

function writeIfChanged(file: string, content: string, written: string[]): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return;
  writeFileSync(file, content, { mode: 0o600 });
  written.push(file);
}

/**
 * Writes (or keeps) the registration and the fragment in `outDir`. `appservicePath` is where
 * Synapse reads the registration (another path inside a container); default the file itself.
 */
export function runSetup(options: {
  env: Env;
  outDir: string;
  rotate?: boolean;
  appservicePath?: string;
}): SetupResult {
  const settings = setupSettings(options.env);
  const outDir = path.resolve(options.outDir);
  try {
    mkdirSync(outDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new SetupError(`cannot create ${outDir}: ${(err as Error).message}`);
  }
  const registrationFile = path.join(outDir, REGISTRATION_FILE);
  const fragmentFile = path.join(outDir, FRAGMENT_FILE);
  const existing = options.rotate ? undefined : readRegistration(registrationFile);
  const { asToken, hsToken, tokens } = chooseTokens(options.env, existing, !!options.rotate);

  const registration = buildRegistration({
    orchestratorUrl: settings.orchestratorUrl,
    serverName: settings.serverName,
    asToken,
    hsToken,
    botLocalpart: settings.botLocalpart,
  });
  const fragment: HomeserverFragment = {
    app_service_config_files: [options.appservicePath ?? registrationFile],
    oidc_providers: [
      keycloakOidcProvider({
        issuer: settings.issuer,
        clientId: SYNAPSE_CLIENT_ID,
        clientSecret: settings.clientSecret,
      }),
    ],
    ...(settings.database ? { database: settings.database } : {}),
    ...(settings.publicBaseurl ? { public_baseurl: settings.publicBaseurl } : {}),
  };
  const written: string[] = [];
  writeIfChanged(registrationFile, `${JSON.stringify(registration, null, 2)}\n`, written);
  writeIfChanged(fragmentFile, `${JSON.stringify(fragment, null, 2)}\n`, written);
  return {
    registration,
    fragment,
    registrationFile,
    fragmentFile,
    written,
    tokens,
    envLines: [
      `MATRIX_HOMESERVER_URL=${settings.homeserverUrl}`,
      `MATRIX_SERVER_NAME=${settings.serverName}`,
      `MATRIX_AS_TOKEN=${asToken}`,
      `MATRIX_WEBHOOK_TOKEN=${hsToken}`,
      `MATRIX_BOT_LOCALPART=${settings.botLocalpart}`,
    ],
  };
}

export interface CheckLine {
  ok: boolean;
  text: string;
}

/**
 * Asks the homeserver whether it answers, and whether it knows the registration: with the AS
 * token, `whoami` as the bot only succeeds when Synapse loaded this very registration.
 */
export async function checkHomeserver(input: {
  homeserverUrl: string;
  serverName: string;
  asToken: string;
  botLocalpart: string;
  fetchImpl?: typeof fetch;
}): Promise<CheckLine[]> {
  const call = input.fetchImpl ?? fetch;
  const base = input.homeserverUrl.replace(/\/+$/, '');
  const lines: CheckLine[] = [];
  let versions: Response;
  try {
    versions = await call(`${base}/_matrix/client/versions`, {
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    return [{ ok: false, text: `no homeserver answers at ${base} (${cause})` }];
  }
  const body = (await versions.json().catch(() => ({}))) as { versions?: string[] };
  if (!versions.ok || !Array.isArray(body.versions)) {
    return [
      {
        ok: false,
        text: `${base}/_matrix/client/versions answered ${versions.status}, not a Matrix homeserver's list of versions`,
      },
    ];
  }
  lines.push({
    ok: true,
    text: `${base} is a Matrix homeserver (spec ${body.versions.at(-1) ?? '?'})`,
  });
  const bot = `@${input.botLocalpart}:${input.serverName}`;
  const whoami = await call(
    `${base}/_matrix/client/v3/account/whoami?user_id=${encodeURIComponent(bot)}`,
    { headers: { authorization: `Bearer ${input.asToken}` }, signal: AbortSignal.timeout(10_000) },
  );
  const who = (await whoami.json().catch(() => ({}))) as {
    user_id?: string;
    errcode?: string;
    error?: string;
  };
  if (whoami.ok && who.user_id === bot) {
    lines.push({ ok: true, text: `the registration is loaded: the AS token acts as ${bot}` });
  } else if (who.errcode === 'M_UNKNOWN_TOKEN') {
    lines.push({
      ok: false,
      text: `the homeserver does not know the AS token: add ${FRAGMENT_FILE} to its configuration and restart it`,
    });
  } else {
    lines.push({
      ok: false,
      text: `whoami as ${bot} answered ${whoami.status} ${who.errcode ?? ''} ${who.error ?? ''}`.trim(),
    });
  }
  return lines;
}
