/**
 * Chatwoot as a tool of the access engine (packages/platform/src/access/engine.ts): one
 * organisation's Chatwoot account against the directory (docs/permissions.md, "Chatwoot").
 *
 * - People: owners and admins are account `administrator`s, members `agent`s; viewers, disabled
 *   users and anyone not in the organisation are not in the account. Users are created or
 *   adopted (an existing e-mail) through the Platform API, account users upserted or removed
 *   with the Platform App's token.
 * - Teams: each Keycloak team of the organisation is a Chatwoot team of the same name
 *   (lower-cased, as Chatwoot stores it) with exactly its agents; a team Chatwoot has and
 *   Keycloak doesn't is emptied (not deleted: its conversations keep their team). Teams are
 *   Application API only and need an administrator's user token: the reconcile's own
 *   administrator (CHATWOOT_SYNC_EMAIL, created or adopted like anyone, its token from
 *   `POST /platform/api/v1/users/{id}/token`).
 *
 * - Inboxes: every agent and administrator of the organisation is a member of every inbox of
 *   the account (Application API `inbox_members`, the same administrator's token); members set
 *   in Chatwoot by hand are reset.
 *
 * Chatwoot has no events for role or team changes: everything is read back on every run, and
 * what differs is set back (`repaired`).
 */
import type { Database } from '@afenda/db';
import type { AccessItem, AccessTool } from '@afenda/platform/access/engine';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { ChatwootAccounts } from './accounts.ts';
import { chatwootRequest, ChatwootApiError } from './chatwoot/chatwoot-api.ts';

export type ChatwootRole = 'administrator' | 'agent';

/** The organisation's role → the account user's role (viewers are not agents). */
export const CHATWOOT_ROLE: Record<string, ChatwootRole | null> = {
  owner: 'administrator',
  admin: 'administrator',
  member: 'agent',
  viewer: null,
};

export interface ChatwootToolDeps {
  database: Database;
  accounts: ChatwootAccounts;
  platformToken: string | undefined;
  syncEmail: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

interface Person {
  userId: string;
  username: string;
  displayName: string;
  email: string | null;
  role: ChatwootRole;
}

interface OrgDirectory {
  name: string;
  people: Map<string, Person>;
  /** Chatwoot team name (lower-cased) → the user ids in it. */
  teams: Map<string, Set<string>>;
}

/** The organisation, its agents-to-be and its teams, read in the directory sync's context. */
async function readOrg(database: Database, org: string): Promise<OrgDirectory | null> {
  const rows = await database.transaction({ sync: true }, async (tx) => {
    const r = await tx.execute<{
      tenant_id: string;
      kind: string;
      name: string;
      role: string | null;
      user_id: string | null;
      username: string | null;
      display_name: string | null;
      email: string | null;
    }>(sql`
      select t.id as tenant_id, t.kind, t.name, ut.role, u.id as user_id, u.username,
             u.display_name, u.email
        from tenants t
        left join user_tenants ut on ut.tenant_id = t.id
        left join users u on u.id = ut.user_id and u.enabled
       where t.id = ${org} or (t.kind = 'team' and t.parent_id = ${org})`);
    return r.rows;
  });
  const orgRows = rows.filter((r) => r.tenant_id === org);
  if (!orgRows.length || orgRows[0]!.kind !== 'organization') return null;
  const people = new Map<string, Person>();
  for (const r of orgRows) {
    const role = r.role ? CHATWOOT_ROLE[r.role] : null;
    if (!r.user_id || !role) continue;
    people.set(r.user_id, {
      userId: r.user_id,
      username: r.username!,
      displayName: r.display_name || r.username!,
      email: r.email?.trim().toLowerCase() || null,
      role,
    });
  }
  const teams = new Map<string, Set<string>>();
  for (const r of rows) {
    if (r.tenant_id === org) continue;
    const name = r.name.trim().toLowerCase();
    const members = teams.get(name) ?? new Set<string>();
    teams.set(name, members);
    if (r.user_id && people.has(r.user_id)) members.add(r.user_id);
  }
  return { name: orgRows[0]!.name, people, teams };
}

interface Known {
  email: string;
  chatwootUserId: number;
  userId: string | null;
}

const strongPassword = () => `${randomBytes(18).toString('base64url')}aA1!`;

export function chatwootAccessTool(deps: ChatwootToolDeps): AccessTool {
  return {
    id: 'chatwoot',
    name: 'Chatwoot',
    guard: 'repaired',
    configured: () => Boolean(deps.platformToken),
    async plan(org, { userId, dryRun }) {
      const account = await deps.accounts.forTenant(org);
      if (!account?.enabled || !account.baseUrl || !deps.platformToken) return [];
      const dir = await readOrg(deps.database, org);
      if (!dir) return [];
      const baseUrl = account.baseUrl;
      const accountId = account.accountId;
      const call = <T>(token: string, method: string, path: string, body?: unknown) =>
        chatwootRequest<T>(
          { baseUrl, apiToken: token, timeoutMs: deps.timeoutMs, fetch: deps.fetch },
          method,
          path,
          body,
        );
      const platform = <T>(method: string, path: string, body?: unknown) =>
        call<T>(deps.platformToken!, method, `platform/api/v1/${path}`, body);

      // Who is who in Chatwoot: the users this organisation's reconcile created or adopted.
      const known = new Map<string, Known>();
      await deps.database.transaction({ service: 'jobs', tenantId: org }, async (tx) => {
        const r = await tx.execute<{
          email: string;
          chatwoot_user_id: number;
          user_id: string | null;
        }>(
          sql`select email, chatwoot_user_id, user_id from inbox_chatwoot_users where tenant_id = ${org}`,
        );
        for (const row of r.rows)
          known.set(row.email, {
            email: row.email,
            chatwootUserId: row.chatwoot_user_id,
            userId: row.user_id,
          });
      });
      const adopted: Known[] = [];
      const adopt = async (name: string, email: string, forUser: string | null) => {
        const user = await platform<{ id: number }>('POST', 'users', {
          name,
          email,
          password: strongPassword(),
          custom_attributes: forUser ? { afenda_user_id: forUser } : {},
        });
        const k = { email, chatwootUserId: user.id, userId: forUser };
        known.set(email, k);
        adopted.push(k);
      };
      // Created or adopted before the plan (a dry run creates nothing, and plans without them);
      // who became whom is kept even when a later call fails.
      const syncEmail = deps.syncEmail.toLowerCase();
      if (!dryRun)
        try {
          if (!known.has(syncEmail)) await adopt('Keycloak sync', syncEmail, null);
          for (const p of dir.people.values())
            if (p.email && p.email !== syncEmail && !known.has(p.email))
              await adopt(p.displayName, p.email, p.userId);
        } finally {
          if (adopted.length)
            await deps.database.transaction({ service: 'jobs', tenantId: org }, async (tx) => {
              for (let i = 0; i < adopted.length; i += 500) {
                const rows = adopted
                  .slice(i, i + 500)
                  .map((k) => sql`(${org}, ${k.email}, ${k.chatwootUserId}, ${k.userId})`);
                await tx.execute(sql`
                  insert into inbox_chatwoot_users (tenant_id, email, chatwoot_user_id, user_id)
                  values ${sql.join(rows, sql`, `)}
                  on conflict (tenant_id, email) do update
                    set chatwoot_user_id = excluded.chatwoot_user_id, user_id = excluded.user_id`);
              }
            });
        }
      const idOf = (p: Person) => (p.email ? known.get(p.email)?.chatwootUserId : undefined);
      const byChatwootId = new Map([...known.values()].map((k) => [k.chatwootUserId, k]));
      const accountPath = `accounts/${accountId}/account_users`;
      const upsert = (id: number, role: ChatwootRole) =>
        platform('POST', accountPath, { user_id: id, role });
      const remove = (id: number) => platform('DELETE', accountPath, { user_id: id });

      const roles = new Map(
        (await platform<Array<{ user_id: number; role: ChatwootRole }>>('GET', accountPath)).map(
          (r) => [r.user_id, r.role],
        ),
      );
      const items: AccessItem[] = [];
      const syncUser = known.get(syncEmail)?.chatwootUserId;
      if (syncUser !== undefined) {
        const actual = roles.get(syncUser) ?? null;
        // Needed now: the teams are read with its token.
        if (actual !== 'administrator' && !dryRun) await upsert(syncUser, 'administrator');
        items.push({
          subject: `the reconcile's administrator ${syncEmail} in ${dir.name}`,
          userId: null,
          desired: 'administrator',
          actual,
          apply: async () => {
            await upsert(syncUser, 'administrator');
          },
        });
      }

      // Each person's account role.
      const staying = new Set<number>(syncUser === undefined ? [] : [syncUser]);
      for (const p of dir.people.values()) {
        if (!p.email) {
          items.push({
            subject: `${p.username} (no e-mail) in ${dir.name}`,
            userId: p.userId,
            desired: p.role,
            actual: null,
            apply: () =>
              Promise.reject(
                new Error(
                  `${p.username} has no e-mail address in Keycloak; Chatwoot needs one to make them an agent`,
                ),
              ),
          });
          continue;
        }
        const id = idOf(p);
        if (id !== undefined) staying.add(id);
        items.push({
          subject: `${p.email} in ${dir.name}`,
          userId: p.userId,
          desired: p.role,
          actual: id === undefined ? null : (roles.get(id) ?? null),
          apply: async () => {
            if (id !== undefined) await upsert(id, p.role);
          },
        });
      }
      const nameOf = (id: number) => byChatwootId.get(id)?.email ?? `Chatwoot user #${id}`;
      // Everyone else in the account: out (Keycloak is the source of truth).
      for (const [id, role] of roles) {
        if (staying.has(id)) continue;
        items.push({
          subject: `${nameOf(id)} in ${dir.name}`,
          userId: byChatwootId.get(id)?.userId ?? null,
          desired: null,
          actual: role,
          apply: async () => {
            await remove(id);
          },
        });
      }

      // Teams, with the reconcile's administrator's token.
      const adminToken =
        syncUser !== undefined && (dryRun ? roles.get(syncUser) === 'administrator' : true)
          ? (
              await platform<{ access_token: string }>('POST', `users/${syncUser}/token`).catch(
                (err: unknown) => {
                  if (dryRun && err instanceof ChatwootApiError && err.status === 401) return null;
                  throw err;
                },
              )
            )?.access_token
          : undefined;
      const app = <T>(method: string, path: string, body?: unknown) =>
        call<T>(adminToken!, method, `api/v1/accounts/${accountId}/teams${path}`, body);
      const existing = new Map<string, number>();
      if (adminToken)
        for (const t of await app<Array<{ id: number; name: string }>>('GET', ''))
          existing.set(t.name.toLowerCase(), t.id);
      const creating = new Map<string, Promise<number>>();
      const teamId = (name: string): Promise<number> => {
        const id = existing.get(name);
        if (id !== undefined) return Promise.resolve(id);
        let p = creating.get(name);
        if (!p) {
          p = app<{ id: number }>('POST', '', {
            team: { name, description: 'A Keycloak team, kept in step by the workspace' },
          }).then((t) => (existing.set(name, t.id), t.id));
          creating.set(name, p);
        }
        return p;
      };
      const names = [...new Set([...dir.teams.keys(), ...existing.keys()])].sort();
      for (const name of names) {
        const wanted = dir.teams.get(name);
        const id = existing.get(name);
        if (wanted && id === undefined)
          items.push({
            subject: `team ${name} in ${dir.name}`,
            userId: null,
            desired: 'created',
            actual: null,
            apply: async () => {
              await teamId(name);
            },
          });
        const members = new Set(
          id === undefined
            ? []
            : (await app<Array<{ id: number }>>('GET', `/${id}/team_members`)).map((m) => m.id),
        );
        const membership = `member of team ${name}`;
        const inTeam = new Set<number>();
        for (const uid of wanted ?? []) {
          const p = dir.people.get(uid)!;
          if (!p.email) continue; // reported once, with the account role
          const cw = idOf(p);
          if (cw !== undefined) inTeam.add(cw);
          items.push({
            subject: `${p.email} in team ${name} of ${dir.name}`,
            userId: p.userId,
            desired: membership,
            actual: cw !== undefined && members.has(cw) ? membership : null,
            apply: async () => {
              if (cw !== undefined)
                await app('POST', `/${await teamId(name)}/team_members`, { user_ids: [cw] });
            },
          });
        }
        for (const cw of members) {
          // Leaving the account takes them out of its teams as well.
          if (inTeam.has(cw) || !staying.has(cw)) continue;
          items.push({
            subject: `${nameOf(cw)} in team ${name} of ${dir.name}`,
            userId: byChatwootId.get(cw)?.userId ?? null,
            desired: null,
            actual: membership,
            apply: async () => {
              await app('DELETE', `/${id}/team_members`, { user_ids: [cw] });
            },
          });
        }
      }
      // Inboxes: every agent and administrator of the organisation is a member of every inbox
      // of its account (Keycloak has no inboxes: a membership set in Chatwoot is reset). One
      // call sets an inbox's members exactly (Chatwoot's PATCH inbox_members adds the missing and
      // removes the rest; POST would only add), made once per inbox whichever of its
      // items applies first.
      if (adminToken) {
        const accountApi = <T>(method: string, path: string, body?: unknown) =>
          call<T>(adminToken, method, `api/v1/accounts/${accountId}/${path}`, body);
        const everyone = [...dir.people.values()].filter((p) => p.email && idOf(p) !== undefined);
        const desiredIds = everyone.map((p) => idOf(p)!).sort((x, y) => x - y);
        const inboxes = (
          await accountApi<{ payload: Array<{ id: number; name: string }> }>('GET', 'inboxes')
        ).payload;
        for (const inbox of inboxes) {
          const members = new Set(
            (
              await accountApi<{ payload: Array<{ id: number }> }>(
                'GET',
                `inbox_members/${inbox.id}`,
              )
            ).payload.map((m) => m.id),
          );
          let setting: Promise<unknown> | undefined;
          const setMembers = async () => {
            setting ??= accountApi('PATCH', 'inbox_members', {
              inbox_id: inbox.id,
              user_ids: desiredIds,
            });
            await setting;
          };
          const membership = `member of inbox ${inbox.name}`;
          for (const p of everyone)
            items.push({
              subject: `${p.email} in inbox ${inbox.name} of ${dir.name}`,
              userId: p.userId,
              desired: membership,
              actual: members.has(idOf(p)!) ? membership : null,
              apply: setMembers,
            });
          for (const cw of members) {
            // Leaving the account takes them out of its inboxes as well.
            if (desiredIds.includes(cw) || !staying.has(cw)) continue;
            items.push({
              subject: `${nameOf(cw)} in inbox ${inbox.name} of ${dir.name}`,
              userId: byChatwootId.get(cw)?.userId ?? null,
              desired: null,
              actual: membership,
              apply: setMembers,
            });
          }
        }
      }
      return userId ? items.filter((i) => i.userId === userId) : items;
    },
  };
}
