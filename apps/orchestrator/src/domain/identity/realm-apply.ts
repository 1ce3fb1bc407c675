/**
 * The realm as code: deploy/keycloak/realm-afenda.json applied to a running Keycloak through its
 * admin API (@keycloak/keycloak-admin-client), again and again: what is missing is created, what
 * differs from the file is updated, the rest is left alone, and a second run changes nothing.
 * Keycloak's own `--import-realm` imports a realm once and never again; this is what keeps a
 * live realm in step with the file (client redirect URIs after a domain change, a new client, a
 * rotated secret).
 *
 * One file, two realms: the **production** realm is the file without its demo parts (its users,
 * its organisations' groups, and clients marked `afenda.demo-only`, the test client with
 * password grants), and without loopback addresses in redirect URIs and web origins; `demo`
 * applies all of it (what the embedded default's identity provider reads). Placeholders
 * (`${SHELL_PUBLIC_URL:http://localhost:3000}`) are resolved from the environment as Keycloak
 * resolves them at import.
 */
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { isDeepStrictEqual } from 'node:util';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Env = Record<string, string | undefined>;

export interface RealmChange {
  kind: 'realm' | 'role' | 'client' | 'client mapper' | 'group' | 'user';
  name: string;
  action: 'created' | 'updated' | 'unchanged';
  /** What differed (updated), never a value. */
  fields?: string[];
}

export interface ApplyRealmOptions {
  /** Keycloak's root URL, e.g. https://id.example.com. */
  url: string;
  /** An administrator of the master realm (password grant on admin-cli). */
  admin: { username: string; password: string };
  /** The realm export, parsed. */
  realm: JsonObject;
  env?: Env;
  /** Apply the demo parts too (users, groups, demo-only clients). */
  demo: boolean;
  /** Say what would change, change nothing. */
  dryRun?: boolean;
  /** Another realm name than the file's (tests). */
  name?: string;
}

const PLACEHOLDER = /\$\{([^}:]+)(?::([^}]*))?\}/g;

/** Keycloak's property replacement: `${VAR}`, `${env.VAR}`, `${VAR:default}`. */
export function resolvePlaceholders<T extends Json>(value: T, env: Env): T {
  if (typeof value === 'string')
    return value.replace(PLACEHOLDER, (whole, raw: string, fallback: string | undefined) => {
      const found = env[raw.startsWith('env.') ? raw.slice(4) : raw];
      return found !== undefined && found !== '' ? found : (fallback ?? whole);
    }) as T;
  if (Array.isArray(value)) return value.map((v) => resolvePlaceholders(v, env)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolvePlaceholders(v, env)]),
    ) as T;
  return value;
}

const LOOPBACK = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/;
const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: Json | undefined): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);

/**
 * The realm to apply: placeholders resolved; for production without the demo parts and without
 * loopback addresses (unless a placeholder resolved to one: a setting says so on purpose).
 */
export function realmToApply(file: JsonObject, options: { env: Env; demo: boolean }): JsonObject {
  const resolved = resolvePlaceholders(file, options.env);
  if (options.demo) return resolved;
  const templates = objects(file.clients);
  const clients = objects(resolved.clients)
    .filter((c) => !(isObject(c.attributes) && c.attributes['afenda.demo-only'] === 'true'))
    .map((c) => {
      const template = templates.find((t) => t.clientId === c.clientId) ?? {};
      // A loopback URI written as such in the file is development's; one a placeholder gave is kept.
      const keep = (key: string) => (v: Json, i: number) =>
        typeof v !== 'string' ||
        !LOOPBACK.test(v) ||
        (Array.isArray(template[key]) && String(template[key][i]).includes('${'));
      const out: JsonObject = { ...c };
      for (const key of ['redirectUris', 'webOrigins'])
        if (Array.isArray(c[key])) out[key] = c[key].filter(keep(key));
      if (isObject(c.attributes) && typeof c.attributes['post.logout.redirect.uris'] === 'string') {
        const parts = c.attributes['post.logout.redirect.uris'].split('##');
        const was = String(
          (isObject(template.attributes) && template.attributes['post.logout.redirect.uris']) || '',
        ).split('##');
        out.attributes = {
          ...c.attributes,
          'post.logout.redirect.uris': parts
            .filter((p, i) => !LOOPBACK.test(p) || (was[i] ?? '').includes('${'))
            .join('##'),
        };
      }
      return out;
    });
  const { users: _users, groups: _groups, ...rest } = resolved;
  return { ...rest, clients, groups: [], users: [] };
}

/** Keys whose difference is one of order only (Keycloak may reorder them). */
const SET_KEYS = new Set([
  'redirectUris',
  'webOrigins',
  'defaultClientScopes',
  'optionalClientScopes',
]);

/** The fields of `wanted` that `current` does not have as wanted. */
function differences(
  wanted: JsonObject,
  current: Record<string, unknown>,
  skip: string[],
): string[] {
  return Object.keys(wanted).filter((key) => {
    if (skip.includes(key)) return false;
    const w = wanted[key];
    const c = current[key];
    if (SET_KEYS.has(key) && Array.isArray(w) && Array.isArray(c))
      return !isDeepStrictEqual([...w].map(String).sort(), [...c].map(String).sort());
    if (isObject(w) && isObject(c as Json))
      return Object.keys(w).some((k) => !isDeepStrictEqual(w[k], (c as JsonObject)[k]));
    return !isDeepStrictEqual(w, c);
  });
}

/** Applies the realm; returns what changed (or would, in a dry run), in order. */
export async function applyRealm(options: ApplyRealmOptions): Promise<RealmChange[]> {
  const want = realmToApply(options.realm, { env: options.env ?? process.env, demo: options.demo });
  const realm = options.name ?? String(want.realm);
  const kc = new KcAdminClient({ baseUrl: options.url.replace(/\/+$/, ''), realmName: 'master' });
  await kc.auth({
    grantType: 'password',
    clientId: 'admin-cli',
    username: options.admin.username,
    password: options.admin.password,
  });
  const dry = options.dryRun === true;
  const changes: RealmChange[] = [];
  const note = (change: RealmChange) => changes.push(change);

  // The realm's own settings: every scalar of the file (not its users, groups, clients, roles).
  const settings = Object.fromEntries(
    Object.entries(want).filter(
      ([k, v]) => !['realm', 'id'].includes(k) && (v === null || typeof v !== 'object'),
    ),
  ) as JsonObject;
  const existing = await kc.realms.findOne({ realm });
  if (!existing) {
    if (!dry) await kc.realms.create({ realm, ...settings });
    note({ kind: 'realm', name: realm, action: 'created' });
  } else {
    const fields = differences(settings, existing as Record<string, unknown>, []);
    if (fields.length && !dry) await kc.realms.update({ realm }, { ...settings });
    note({ kind: 'realm', name: realm, action: fields.length ? 'updated' : 'unchanged', fields });
  }
  if (dry && !existing) return changes; // nothing below can be read from a realm not there
  kc.setConfig({ realmName: realm });

  for (const role of objects(isObject(want.roles) ? want.roles.realm : undefined)) {
    const name = String(role.name);
    const current = await kc.roles.findOneByName({ name });
    if (!current) {
      if (!dry) await kc.roles.create({ name, description: String(role.description ?? '') });
      note({ kind: 'role', name, action: 'created' });
    } else {
      const fields = differences({ description: role.description ?? '' }, { ...current }, []);
      if (fields.length && !dry)
        await kc.roles.updateByName(
          { name },
          { ...current, description: String(role.description ?? '') },
        );
      note({ kind: 'role', name, action: fields.length ? 'updated' : 'unchanged', fields });
    }
  }

  for (const client of objects(want.clients)) {
    const clientId = String(client.clientId);
    const { protocolMappers, ...fieldsWanted } = client;
    const [current] = await kc.clients.find({ clientId });
    let id: string;
    if (!current?.id) {
      if (!dry) {
        const created = await kc.clients.create(fieldsWanted as Record<string, unknown>);
        id = created.id;
      } else id = '';
      note({ kind: 'client', name: clientId, action: 'created' });
    } else {
      id = current.id;
      const withSecret = { ...current } as Record<string, unknown>;
      if (typeof fieldsWanted.secret === 'string' && !current.publicClient)
        withSecret.secret = (await kc.clients.getClientSecret({ id })).value;
      const fields = differences(fieldsWanted, withSecret, ['id']);
      if (fields.length && !dry)
        await kc.clients.update(
          { id },
          { ...current, ...(fieldsWanted as Record<string, unknown>) },
        );
      note({
        kind: 'client',
        name: clientId,
        action: fields.length ? 'updated' : 'unchanged',
        fields,
      });
    }
    // Mappers by name: created when missing, replaced when they differ.
    const mappers = id ? await kc.clients.listProtocolMappers({ id }) : [];
    for (const mapper of objects(protocolMappers)) {
      const name = String(mapper.name);
      const have = mappers.find((m) => m.name === name);
      const label = `${clientId}/${name}`;
      if (!have) {
        if (!dry) await kc.clients.addProtocolMapper({ id }, mapper as Record<string, unknown>);
        note({ kind: 'client mapper', name: label, action: 'created' });
      } else {
        const fields = differences(mapper, have as Record<string, unknown>, ['id']);
        if (fields.length && !dry)
          await kc.clients.updateProtocolMapper(
            { id, mapperId: have.id! },
            { ...(mapper as Record<string, unknown>), id: have.id },
          );
        note({
          kind: 'client mapper',
          name: label,
          action: fields.length ? 'updated' : 'unchanged',
          fields,
        });
      }
    }
  }

  // Demo only: the organisations' groups and their people (production's come from the admins).
  const groupIds = new Map<string, string>();
  const applyGroups = async (groups: JsonObject[], parent: { id: string; path: string } | null) => {
    for (const group of groups) {
      const name = String(group.name);
      const path = `${parent?.path ?? ''}/${name}`;
      const siblings = parent
        ? await kc.groups.listSubGroups({ parentId: parent.id, max: 1000 })
        : await kc.groups.find({ search: name, exact: true, max: 1000 });
      const current = siblings.find((g) => g.name === name && (parent || g.path === path));
      const attributes = isObject(group.attributes) ? group.attributes : {};
      let id = current?.id ?? '';
      if (!current) {
        if (!dry)
          id = parent
            ? (
                await kc.groups.createChildGroup(
                  { id: parent.id },
                  { name, attributes: attributes as Record<string, string[]> },
                )
              ).id
            : (await kc.groups.create({ name, attributes: attributes as Record<string, string[]> }))
                .id;
        note({ kind: 'group', name: path, action: 'created' });
      } else {
        const full = await kc.groups.findOne({ id });
        const fields = differences({ attributes }, (full ?? {}) as Record<string, unknown>, []);
        if (fields.length && !dry)
          await kc.groups.update(
            { id },
            { ...full, attributes: attributes as Record<string, string[]> },
          );
        note({
          kind: 'group',
          name: path,
          action: fields.length ? 'updated' : 'unchanged',
          fields,
        });
      }
      groupIds.set(path, id);
      if (id) await applyGroups(objects(group.subGroups), { id, path });
    }
  };
  await applyGroups(objects(want.groups), null);

  for (const user of objects(want.users)) {
    const username = String(user.username);
    const [current] = await kc.users.find({ username, exact: true });
    // Attributes go in at creation only: Keycloak's user profile keeps the ones it declares.
    const profile = Object.fromEntries(
      ['enabled', 'email', 'emailVerified', 'firstName', 'lastName']
        .filter((k) => user[k] !== undefined)
        .map((k) => [k, user[k]!]),
    ) as JsonObject;
    let id = current?.id ?? '';
    if (!current) {
      if (!dry)
        id = (
          await kc.users.create({
            username,
            ...(profile as Record<string, unknown>),
            attributes: user.attributes as Record<string, unknown> | undefined,
            credentials: user.credentials as Record<string, unknown>[] | undefined,
          })
        ).id;
      note({ kind: 'user', name: username, action: 'created' });
    } else {
      const fields = differences(profile, current as Record<string, unknown>, []);
      if (fields.length && !dry)
        await kc.users.update({ id }, { ...current, ...(profile as Record<string, unknown>) });
      note({
        kind: 'user',
        name: username,
        action: fields.length ? 'updated' : 'unchanged',
        fields,
      });
    }
    if (!id || dry) continue;
    // Memberships the file names: added when missing (never removed: people move in Keycloak).
    const member = new Set(
      (await kc.users.listGroups({ id, briefRepresentation: true })).map((g) => g.path),
    );
    for (const path of Array.isArray(user.groups) ? user.groups.map(String) : []) {
      const groupId = groupIds.get(path);
      if (groupId && !member.has(path)) {
        await kc.users.addToGroup({ id, groupId });
        const last = changes.at(-1)!;
        if (last.action === 'unchanged') last.action = 'updated';
        last.fields = [...(last.fields ?? []), `group ${path}`];
      }
    }
  }
  return changes;
}
