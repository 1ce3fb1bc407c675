/**
 * The realm export a real Keycloak imports (deploy/keycloak/realm-afenda.json), read the way
 * Keycloak reads it: `${VAR:default}` placeholders resolved from the environment, usernames and
 * e-mail addresses compared case-insensitively, users with plain-text credentials, group paths,
 * realm roles, and the clients' flows, redirect URIs, attributes and protocol mappers.
 *
 * Everything here is pure (apart from `loadRealm` reading the file): the provider asks it who a
 * user is, whether a password is right, and which claims a token carries.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export class RealmError extends Error {
  override name = 'RealmError';
}

/** Which tokens a protocol mapper writes its claim into. */
export interface MapperTargets {
  idToken: boolean;
  accessToken: boolean;
  userinfo: boolean;
  introspection: boolean;
}

/** Keycloak's `oidc-group-membership-mapper`. */
export interface GroupsMapper extends MapperTargets {
  claimName: string;
  fullPath: boolean;
}

export interface RealmClient {
  clientId: string;
  name?: string;
  enabled: boolean;
  publicClient: boolean;
  /** Resolved from its `${VAR:default}` placeholder; confidential clients only. */
  secret?: string;
  standardFlowEnabled: boolean;
  directAccessGrantsEnabled: boolean;
  serviceAccountsEnabled: boolean;
  /** Patterns as Keycloak stores them: exact URIs, or a prefix ending in `*`. */
  redirectUris: string[];
  /** Origins, with `+` (the redirect URIs' origins) already expanded. */
  webOrigins: string[];
  /** `*` among the web origins. */
  anyWebOrigin: boolean;
  attributes: Record<string, string>;
  /** `pkce.code.challenge.method` (Keycloak requires PKCE when it is set). */
  pkceMethod?: string;
  /** `post.logout.redirect.uris`, split at `##`, `+` expanded to the redirect URIs. */
  postLogoutRedirectUris: string[];
  backchannelLogoutUrl?: string;
  backchannelLogoutSessionRequired: boolean;
  /** `oidc-audience-mapper` audiences written into access tokens. */
  accessTokenAudiences: string[];
  groupsMapper?: GroupsMapper;
}

export interface RealmUser {
  id: string;
  /** Lower-cased, as Keycloak stores it. */
  username: string;
  email?: string;
  emailVerified: boolean;
  firstName?: string;
  lastName?: string;
  enabled: boolean;
  /** Full group paths, e.g. `/acme/support`. */
  groups: string[];
  realmRoles: string[];
  /** The plain-text `password` credential, if the export has one. */
  password?: string;
}

export interface Realm {
  name: string;
  displayName?: string;
  accessTokenLifespan: number;
  ssoSessionIdleTimeout: number;
  ssoSessionMaxLifespan: number;
  loginWithEmailAllowed: boolean;
  defaultRoles: string[];
  realmRoleNames: string[];
  groupPaths: Set<string>;
  clients: RealmClient[];
  users: RealmUser[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Env = Record<string, string | undefined>;

const PLACEHOLDER = /\$\{([^}:]+)(?::([^}]*))?\}/g;

/**
 * Keycloak's property replacement: `${VAR}`, `${env.VAR}` and `${VAR:default}`. A placeholder
 * with neither a value nor a default is left as written (as Keycloak does).
 */
export function resolvePlaceholders(value: string, env: Env = process.env): string {
  return value.replace(PLACEHOLDER, (whole, rawName: string, fallback: string | undefined) => {
    const name = rawName.startsWith('env.') ? rawName.slice(4) : rawName;
    const found = env[name];
    if (found !== undefined) return found;
    return fallback ?? whole;
  });
}

function resolveDeep(value: Json, env: Env): Json {
  if (typeof value === 'string') return resolvePlaceholders(value, env);
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, env)]));
  }
  return value;
}

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

class Problems {
  readonly list: string[] = [];
  add(where: string, problem: string): void {
    this.list.push(`${where}: ${problem}`);
  }
  string(obj: JsonObject, key: string, where: string, required = false): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (required) this.add(where, `"${key}" is required`);
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(where, `"${key}" must be a string`);
      return undefined;
    }
    return v;
  }
  bool(obj: JsonObject, key: string, where: string, fallback: boolean): boolean {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') {
      this.add(where, `"${key}" must be true or false`);
      return fallback;
    }
    return v;
  }
  int(obj: JsonObject, key: string, where: string, fallback: number): number {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      this.add(where, `"${key}" must be a positive integer (seconds)`);
      return fallback;
    }
    return v;
  }
  strings(obj: JsonObject, key: string, where: string): string[] {
    const v = obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      this.add(where, `"${key}" must be an array of strings`);
      return [];
    }
    return v as string[];
  }
  array(obj: JsonObject, key: string, where: string): JsonObject[] {
    const v = obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((s) => !isObject(s))) {
      this.add(where, `"${key}" must be an array of objects`);
      return [];
    }
    return v as JsonObject[];
  }
}

function collectGroupPaths(
  groups: JsonObject[],
  parent: string,
  out: Set<string>,
  p: Problems,
): void {
  for (const [i, g] of groups.entries()) {
    const where = `group ${parent || '/'}[${i}]`;
    const name = p.string(g, 'name', where, true);
    if (name === undefined) continue;
    const path = p.string(g, 'path', where) ?? `${parent}/${name}`;
    out.add(path);
    collectGroupPaths(p.array(g, 'subGroups', `group ${path}`), path, out, p);
  }
}

const flag = (config: JsonObject, key: string, fallback: boolean): boolean => {
  const v = config[key];
  if (v === undefined || v === null) return fallback;
  return v === true || v === 'true';
};

function originOf(uri: string): string | undefined {
  try {
    const { origin } = new URL(uri.replace(/\*$/, ''));
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function parseClient(c: JsonObject, i: number, p: Problems): RealmClient | undefined {
  const clientId = p.string(c, 'clientId', `clients[${i}]`, true);
  if (clientId === undefined) return undefined;
  const where = `client ${clientId}`;
  const protocol = p.string(c, 'protocol', where);
  if (protocol !== undefined && protocol !== 'openid-connect') return undefined;

  const publicClient = p.bool(c, 'publicClient', where, false);
  const bearerOnly = p.bool(c, 'bearerOnly', where, false);
  let secret: string | undefined;
  if (!publicClient && !bearerOnly) {
    secret = p.string(c, 'secret', where);
    if (!secret) p.add(where, 'a confidential client needs a "secret"');
    else if (/\$\{[^}]*\}/.test(secret)) {
      p.add(
        where,
        `the secret placeholder ${secret} has no value in the environment and no default`,
      );
    }
  }

  const attributes: Record<string, string> = {};
  const rawAttributes = c.attributes;
  if (rawAttributes !== undefined && rawAttributes !== null) {
    if (!isObject(rawAttributes)) p.add(where, '"attributes" must be an object');
    else {
      for (const [k, v] of Object.entries(rawAttributes)) {
        if (typeof v === 'string') attributes[k] = v;
        else if (typeof v === 'boolean' || typeof v === 'number') attributes[k] = String(v);
      }
    }
  }

  const redirectUris = p.strings(c, 'redirectUris', where);
  const redirectOrigins = redirectUris.map(originOf).filter((o): o is string => !!o);
  const rawOrigins = p.strings(c, 'webOrigins', where);
  const webOrigins = [
    ...new Set(rawOrigins.flatMap((o) => (o === '+' ? redirectOrigins : o === '*' ? [] : [o]))),
  ];

  const postLogout = (attributes['post.logout.redirect.uris'] ?? '')
    .split('##')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((s) => (s === '+' ? redirectUris : [s]));

  const accessTokenAudiences: string[] = [];
  let groupsMapper: GroupsMapper | undefined;
  for (const [j, m] of p.array(c, 'protocolMappers', where).entries()) {
    const mapperWhere = `${where} protocolMappers[${j}]`;
    const kind = p.string(m, 'protocolMapper', mapperWhere);
    const config = isObject(m.config) ? m.config : {};
    const targets: MapperTargets = {
      idToken: flag(config, 'id.token.claim', true),
      accessToken: flag(config, 'access.token.claim', true),
      userinfo: flag(config, 'userinfo.token.claim', true),
      introspection: flag(config, 'introspection.token.claim', true),
    };
    if (kind === 'oidc-audience-mapper') {
      const audience = config['included.client.audience'] ?? config['included.custom.audience'];
      if (typeof audience === 'string' && audience && targets.accessToken) {
        accessTokenAudiences.push(audience);
      }
    } else if (kind === 'oidc-group-membership-mapper') {
      const claimName = typeof config['claim.name'] === 'string' ? config['claim.name'] : 'groups';
      groupsMapper = { ...targets, claimName, fullPath: flag(config, 'full.path', true) };
    }
  }

  return {
    clientId,
    name: p.string(c, 'name', where),
    enabled: p.bool(c, 'enabled', where, true),
    publicClient,
    secret,
    standardFlowEnabled: p.bool(c, 'standardFlowEnabled', where, true),
    directAccessGrantsEnabled: p.bool(c, 'directAccessGrantsEnabled', where, false),
    serviceAccountsEnabled: p.bool(c, 'serviceAccountsEnabled', where, false),
    redirectUris,
    webOrigins,
    anyWebOrigin: rawOrigins.includes('*'),
    attributes,
    pkceMethod: attributes['pkce.code.challenge.method'] || undefined,
    postLogoutRedirectUris: postLogout,
    backchannelLogoutUrl: attributes['backchannel.logout.url'] || undefined,
    backchannelLogoutSessionRequired: attributes['backchannel.logout.session.required'] === 'true',
    accessTokenAudiences: [...new Set(accessTokenAudiences)],
    groupsMapper,
  };
}

function parseUser(
  u: JsonObject,
  i: number,
  p: Problems,
  groupPaths: Set<string>,
): RealmUser | undefined {
  const username = p.string(u, 'username', `users[${i}]`, true);
  if (username === undefined) return undefined;
  // Service accounts are Keycloak's own; nobody signs in as one.
  if (u.serviceAccountClientId !== undefined) return undefined;
  const where = `user ${username}`;
  const id = p.string(u, 'id', where);
  if (!id) p.add(where, 'needs an "id" (the token subject must be stable)');
  const groups = p.strings(u, 'groups', where);
  for (const g of groups) {
    if (!groupPaths.has(g)) p.add(where, `is in group ${g}, which the realm does not define`);
  }
  let password: string | undefined;
  for (const [j, cred] of p.array(u, 'credentials', where).entries()) {
    if (cred.type !== 'password') continue;
    const value = p.string(cred, 'value', `${where} credentials[${j}]`);
    if (value !== undefined) password = value;
  }
  const email = p.string(u, 'email', where);
  return {
    id: id ?? '',
    username: username.toLowerCase(),
    email: email ? email.toLowerCase() : undefined,
    emailVerified: p.bool(u, 'emailVerified', where, false),
    firstName: p.string(u, 'firstName', where) || undefined,
    lastName: p.string(u, 'lastName', where) || undefined,
    enabled: p.bool(u, 'enabled', where, true),
    groups,
    realmRoles: p.strings(u, 'realmRoles', where),
    password,
  };
}

/** Validates a parsed export (placeholders resolved against `env`) and returns the realm. */
export function parseRealm(input: unknown, env: Env = process.env): Realm {
  if (!isObject(input)) throw new RealmError('the realm export must be a JSON object');
  const raw = resolveDeep(input, env) as JsonObject;
  const p = new Problems();
  const name = p.string(raw, 'realm', 'realm', true) ?? '';
  if (name && !/^[A-Za-z0-9._-]+$/.test(name))
    p.add('realm', `"${name}" is not a usable realm name`);

  const groupPaths = new Set<string>();
  collectGroupPaths(p.array(raw, 'groups', 'realm'), '', groupPaths, p);

  const roles = isObject(raw.roles) ? raw.roles : {};
  const realmRoleNames = p
    .array(roles, 'realm', 'roles')
    .map((r) => (typeof r.name === 'string' ? r.name : ''))
    .filter(Boolean);

  const clients = p
    .array(raw, 'clients', 'realm')
    .map((c, i) => parseClient(c, i, p))
    .filter((c): c is RealmClient => !!c);
  const users = p
    .array(raw, 'users', 'realm')
    .map((u, i) => parseUser(u, i, p, groupPaths))
    .filter((u): u is RealmUser => !!u);

  const seen = new Map<string, string>();
  for (const [kind, values] of [
    ['client id', clients.map((c) => c.clientId)],
    ['username', users.map((u) => u.username)],
    ['user id', users.map((u) => u.id)],
  ] as const) {
    seen.clear();
    for (const v of values) {
      if (seen.has(v)) p.add('realm', `${kind} "${v}" appears more than once`);
      seen.set(v, v);
    }
  }

  if (p.list.length) {
    throw new RealmError(`the realm export is not usable:\n  - ${p.list.join('\n  - ')}`);
  }
  return {
    name,
    displayName: p.string(raw, 'displayName', 'realm'),
    accessTokenLifespan: p.int(raw, 'accessTokenLifespan', 'realm', 300),
    ssoSessionIdleTimeout: p.int(raw, 'ssoSessionIdleTimeout', 'realm', 1800),
    ssoSessionMaxLifespan: p.int(raw, 'ssoSessionMaxLifespan', 'realm', 36000),
    loginWithEmailAllowed: p.bool(raw, 'loginWithEmailAllowed', 'realm', true),
    defaultRoles: p.strings(raw, 'defaultRoles', 'realm'),
    realmRoleNames,
    groupPaths,
    clients,
    users,
  };
}

/** Reads and validates the export; throws a RealmError that names every problem. */
export async function loadRealm(file: string, env: Env = process.env): Promise<Realm> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RealmError(`cannot read the realm export ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RealmError(`the realm export ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseRealm(json, env);
}

export function findClient(realm: Realm, clientId: string): RealmClient | undefined {
  return realm.clients.find((c) => c.clientId === clientId);
}

export function findUserById(realm: Realm, id: string): RealmUser | undefined {
  return realm.users.find((u) => u.id === id);
}

/** By username, or by e-mail when the realm allows it; case-insensitive, as Keycloak. */
export function findUser(realm: Realm, usernameOrEmail: string): RealmUser | undefined {
  const wanted = usernameOrEmail.trim().toLowerCase();
  if (!wanted) return undefined;
  const byName = realm.users.find((u) => u.username === wanted);
  if (byName || !realm.loginWithEmailAllowed || !wanted.includes('@')) return byName;
  const byEmail = realm.users.filter((u) => u.email === wanted);
  return byEmail.length === 1 ? byEmail[0] : undefined;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison (both sides hashed first, so lengths do not leak either). */
export function checkPassword(user: RealmUser | undefined, password: string): boolean {
  const expected = digest(user?.password ?? '\u0000no password\u0000');
  const same = timingSafeEqual(expected, digest(password));
  return same && user?.password !== undefined;
}

/**
 * The user a username and password sign in, or undefined. Unknown users, wrong passwords and
 * disabled users look the same to the caller, and take the same time.
 */
export function authenticate(
  realm: Realm,
  username: string,
  password: string,
): RealmUser | undefined {
  const user = findUser(realm, username);
  const ok = checkPassword(user, password);
  return ok && user?.enabled ? user : undefined;
}

/** Keycloak's redirect URI matching: exact, or a prefix when the pattern ends in `*`. */
export function matchesUriPattern(value: string, patterns: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return patterns.some((p) => (p.endsWith('*') ? value.startsWith(p.slice(0, -1)) : value === p));
}

/**
 * Realm roles in Keycloak's `realm_access.roles`. As Keycloak expands the composite
 * `default-roles-<realm>` (which the export gives every user): the composite itself,
 * offline_access, uma_authorization and the realm's default roles, then the user's own.
 */
export function realmRolesFor(realm: Realm, user: RealmUser): string[] {
  const composite = `default-roles-${realm.name}`;
  return [
    ...new Set([
      composite,
      'offline_access',
      'uma_authorization',
      ...realm.defaultRoles,
      ...user.realmRoles,
    ]),
  ];
}

/** The profile and e-mail claims (Keycloak's `profile` and `email` client scopes). */
export function profileClaims(user: RealmUser): Record<string, unknown> {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  const claims: Record<string, unknown> = {
    sub: user.id,
    preferred_username: user.username,
    email_verified: user.emailVerified,
  };
  if (name) claims.name = name;
  if (user.firstName) claims.given_name = user.firstName;
  if (user.lastName) claims.family_name = user.lastName;
  if (user.email) claims.email = user.email;
  return claims;
}

/** The group claim a client's group-membership mapper writes into the given token, if any. */
export function groupsClaim(
  client: RealmClient | undefined,
  user: RealmUser,
  target: keyof MapperTargets,
): Record<string, string[]> {
  const mapper = client?.groupsMapper;
  if (!mapper || !mapper[target]) return {};
  const values = mapper.fullPath
    ? user.groups
    : user.groups.map((g) => g.slice(g.lastIndexOf('/') + 1));
  return { [mapper.claimName]: [...values] };
}

/**
 * The claims Keycloak adds to a user's access token for a client (beyond iss, sub, aud, exp,
 * iat, jti and scope): typ, azp, the profile and e-mail claims, groups (per the client's
 * mapper), realm_access and allowed-origins.
 */
export function accessTokenClaims(
  realm: Realm,
  user: RealmUser,
  client: RealmClient | undefined,
  clientId: string,
): Record<string, unknown> {
  const { sub: _sub, ...profile } = profileClaims(user);
  const origins = client?.anyWebOrigin ? ['*'] : (client?.webOrigins ?? []);
  return {
    typ: 'Bearer',
    azp: clientId,
    ...(origins.length ? { 'allowed-origins': origins } : {}),
    realm_access: { roles: realmRolesFor(realm, user) },
    ...profile,
    ...groupsClaim(client, user, 'accessToken'),
  };
}
