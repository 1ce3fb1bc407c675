/**
 * A real Keycloak for tests: the server comes from scripts/keycloak.mjs (one implementation, see
 * docs/keycloak.md), plus small typed clients for the token endpoint and the few Admin API calls
 * the tests need. Realm `afenda` from deploy/keycloak/realm-afenda.json, imported at start into an
 * in-memory database: every start begins from the export, so tests may change users and groups.
 */
// @ts-expect-error -- a plain Node ESM script with no declarations; typed by KeycloakScript below
import * as untypedScript from '../../../scripts/keycloak.mjs';

export const KEYCLOAK_REALM = 'afenda';
/** Public client with direct access grants, for tests only. */
export const KEYCLOAK_TEST_CLIENT = 'afenda-test';

interface LaunchOptions {
  version?: string;
  port?: number;
  managementPort?: number;
  timeoutMs?: number;
  realmFile?: string;
  stateFile?: string | null;
  detached?: boolean;
  env?: Record<string, string>;
  log?: (line: string) => void;
}

interface LaunchedKeycloak {
  url: string;
  issuer: string;
  port: number;
  managementPort: number;
  pid: number;
  scriptPid: number;
  adminUser: string;
  adminPassword: string;
  version: string;
  javaHome: string;
  home: string;
  logFile: string;
  readySeconds: number;
  stop(): Promise<void>;
}

/** What scripts/keycloak.mjs exports (the part used here). */
interface KeycloakScript {
  DEFAULT_VERSION: string;
  launchKeycloak(options?: LaunchOptions): Promise<LaunchedKeycloak>;
  fetchKeycloak(options?: {
    version?: string;
    log?: (line: string) => void;
  }): Promise<{ version: string; home: string; fetched: boolean }>;
}

const script = untypedScript as KeycloakScript;
export const DEFAULT_KEYCLOAK_VERSION = script.DEFAULT_VERSION;
export const fetchKeycloak = script.fetchKeycloak;

export interface AdminCredentials {
  username: string;
  password: string;
}

export interface KeycloakServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (pinned with --hostname, so `iss` never varies). */
  url: string;
  /** `${url}/realms/afenda` */
  issuer: string;
  /** Master-realm bootstrap admin, random for each start. */
  admin: AdminCredentials;
  version: string;
  managementUrl: string;
  logFile: string;
  /** Seconds from spawning kc.sh to ready. */
  readySeconds: number;
  /** Java pid (RSS etc. in /proc/<pid>/status). */
  pid: number;
  stop(): Promise<void>;
}

export interface StartKeycloakOptions {
  /** KEYCLOAK_VERSION or the script's default. */
  version?: string;
  /** 0 (default) = a free port; tests never collide with `node scripts/keycloak.mjs start`. */
  port?: number;
  managementPort?: number;
  /** Extra environment for Keycloak, e.g. AFENDA_ORCHESTRATOR_CLIENT_SECRET for the import. */
  env?: Record<string, string>;
  /** Another realm export (default KEYCLOAK_REALM_FILE or deploy/keycloak/realm-afenda.json). */
  realmFile?: string;
  timeoutMs?: number;
  log?: (line: string) => void;
}

/**
 * Starts a private Keycloak (free ports, no state file): resolves once /health/ready is UP and the
 * realm's discovery document answers. Call stop() in afterAll.
 */
export async function startKeycloak(options: StartKeycloakOptions = {}): Promise<KeycloakServer> {
  const launched = await script.launchKeycloak({
    port: options.port ?? 0,
    managementPort: options.managementPort ?? 0,
    stateFile: null,
    detached: false,
    ...(options.version ? { version: options.version } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.realmFile ? { realmFile: options.realmFile } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    url: launched.url,
    issuer: launched.issuer,
    admin: { username: launched.adminUser, password: launched.adminPassword },
    version: launched.version,
    managementUrl: `http://127.0.0.1:${launched.managementPort}`,
    logFile: launched.logFile,
    readySeconds: launched.readySeconds,
    pid: launched.pid,
    stop: () => launched.stop(),
  };
}

/** The token endpoint's answer. */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  refresh_expires_in?: number;
  id_token?: string;
  token_type: string;
  scope?: string;
  session_state?: string;
  'not-before-policy'?: number;
}

/** An OAuth error answer (RFC 6749 §5.2), e.g. `invalid_grant`, `unauthorized_client`. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly errorDescription: string | undefined,
  ) {
    super(
      `token endpoint: HTTP ${status} ${error}${errorDescription ? `: ${errorDescription}` : ''}`,
    );
    this.name = 'OAuthError';
  }
}

export function tokenEndpoint(issuer: string): string {
  return `${issuer}/protocol/openid-connect/token`;
}

/** POSTs a form to the realm's token endpoint; throws OAuthError on an error answer. */
export async function tokenRequest(
  issuer: string,
  params: Record<string, string | undefined>,
): Promise<TokenResponse> {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) form.set(key, value);
  const response = await fetch(tokenEndpoint(issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: reported below
  }
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new OAuthError(
      response.status,
      typeof body.error === 'string' ? body.error : `http_${response.status}`,
      typeof body.error_description === 'string' ? body.error_description : text.slice(0, 200),
    );
  }
  return body as unknown as TokenResponse;
}

export interface PasswordGrantOptions {
  issuer: string;
  /** Default `afenda-test` (public, direct access grants on). */
  clientId?: string;
  clientSecret?: string;
  username: string;
  password: string;
  /** Default `openid` (adds an id_token; profile, email and roles are default scopes anyway). */
  scope?: string;
}

/** Resource-owner password grant (tests only). */
export function passwordGrant(options: PasswordGrantOptions): Promise<TokenResponse> {
  return tokenRequest(options.issuer, {
    grant_type: 'password',
    client_id: options.clientId ?? KEYCLOAK_TEST_CLIENT,
    client_secret: options.clientSecret,
    username: options.username,
    password: options.password,
    scope: options.scope ?? 'openid',
  });
}

export function refreshGrant(options: {
  issuer: string;
  clientId?: string;
  clientSecret?: string;
  refreshToken: string;
}): Promise<TokenResponse> {
  return tokenRequest(options.issuer, {
    grant_type: 'refresh_token',
    client_id: options.clientId ?? KEYCLOAK_TEST_CLIENT,
    client_secret: options.clientSecret,
    refresh_token: options.refreshToken,
  });
}

export function clientCredentialsGrant(options: {
  issuer: string;
  clientId: string;
  clientSecret: string;
}): Promise<TokenResponse> {
  return tokenRequest(options.issuer, {
    grant_type: 'client_credentials',
    client_id: options.clientId,
    client_secret: options.clientSecret,
  });
}

/** An access token for the master-realm bootstrap admin (admin-cli; it lives 60 s). */
export async function adminToken(url: string, admin: AdminCredentials): Promise<string> {
  const tokens = await tokenRequest(`${url}/realms/master`, {
    grant_type: 'password',
    client_id: 'admin-cli',
    username: admin.username,
    password: admin.password,
  });
  return tokens.access_token;
}

export interface UserRepresentation {
  id: string;
  username: string;
  enabled: boolean;
  email?: string;
  emailVerified?: boolean;
  firstName?: string;
  lastName?: string;
  attributes?: Record<string, string[]>;
  createdTimestamp?: number;
  [key: string]: unknown;
}

export interface GroupRepresentation {
  id: string;
  name: string;
  path: string;
  parentId?: string;
  subGroupCount?: number;
  subGroups?: GroupRepresentation[];
  /** Only with briefRepresentation=false (or on single-group reads). */
  attributes?: Record<string, string[]>;
  realmRoles?: string[];
  clientRoles?: Record<string, string[]>;
  [key: string]: unknown;
}

export interface PageOptions {
  first?: number;
  max?: number;
  briefRepresentation?: boolean;
}

export class KeycloakAdminError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: string,
  ) {
    super(`Keycloak Admin API ${method} ${path}: HTTP ${status} ${body.slice(0, 300)}`);
    this.name = 'KeycloakAdminError';
  }
}

export interface KeycloakAdmin {
  /** Any call under /admin/realms/<realm>; JSON in and out, undefined for empty answers. */
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Users of the realm (service-account users are not listed). */
  users(
    options?: PageOptions & { search?: string; username?: string; exact?: boolean; q?: string },
  ): Promise<UserRepresentation[]>;
  findUser(username: string): Promise<UserRepresentation | undefined>;
  getUser(userId: string): Promise<UserRepresentation>;
  /** GET then PUT of the whole representation with `enabled` changed. */
  setUserEnabled(userId: string, enabled: boolean): Promise<void>;
  disableUser(userId: string): Promise<void>;
  userGroups(userId: string, options?: PageOptions): Promise<GroupRepresentation[]>;
  addUserToGroup(userId: string, groupId: string): Promise<void>;
  removeUserFromGroup(userId: string, groupId: string): Promise<void>;
  /** Top-level groups (sub-groups are not inlined: see subGroupCount and groupChildren). */
  groups(
    options?: PageOptions & { search?: string; q?: string; exact?: boolean },
  ): Promise<GroupRepresentation[]>;
  /** `/acme/support` → the group (404 → KeycloakAdminError). */
  groupByPath(path: string): Promise<GroupRepresentation>;
  groupChildren(groupId: string, options?: PageOptions): Promise<GroupRepresentation[]>;
  /** Direct members only (not members of sub-groups). */
  groupMembers(groupId: string, options?: PageOptions): Promise<UserRepresentation[]>;
}

function query(options: Record<string, string | number | boolean | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A small typed wrapper over the Admin REST API of one realm. */
export function keycloakAdmin(url: string, token: string, realm = KEYCLOAK_REALM): KeycloakAdmin {
  const base = `${url}/admin/realms/${encodeURIComponent(realm)}`;
  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new KeycloakAdminError(response.status, method, path, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const id = encodeURIComponent;
  const admin: KeycloakAdmin = {
    request,
    users: (options) => request('GET', `/users${query({ ...options })}`),
    async findUser(username) {
      const users = await request<UserRepresentation[]>(
        'GET',
        `/users${query({ username, exact: true })}`,
      );
      return users.find((user) => user.username === username.toLowerCase());
    },
    getUser: (userId) => request('GET', `/users/${id(userId)}`),
    async setUserEnabled(userId, enabled) {
      const user = await admin.getUser(userId);
      await request('PUT', `/users/${id(userId)}`, { ...user, enabled });
    },
    disableUser: (userId) => admin.setUserEnabled(userId, false),
    userGroups: (userId, options) =>
      request('GET', `/users/${id(userId)}/groups${query({ ...options })}`),
    addUserToGroup: (userId, groupId) =>
      request('PUT', `/users/${id(userId)}/groups/${id(groupId)}`),
    removeUserFromGroup: (userId, groupId) =>
      request('DELETE', `/users/${id(userId)}/groups/${id(groupId)}`),
    groups: (options) => request('GET', `/groups${query({ ...options })}`),
    groupByPath: (path) =>
      request(
        'GET',
        `/group-by-path/${path.split('/').filter(Boolean).map(encodeURIComponent).join('/')}`,
      ),
    groupChildren: (groupId, options) =>
      request('GET', `/groups/${id(groupId)}/children${query({ ...options })}`),
    groupMembers: (groupId, options) =>
      request('GET', `/groups/${id(groupId)}/members${query({ ...options })}`),
  };
  return admin;
}
