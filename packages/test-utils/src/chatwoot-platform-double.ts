/**
 * A stateful stand-in for Chatwoot's Platform API and the Application API's teams, served
 * through a `fetch` (no socket: the orchestrator's calls go to `double.fetch`), built from the
 * contract (CONTRACT.md §1, §4.5, §4.6) and enforcing what the real API enforces:
 *
 * - Platform API (`/platform/api/v1/...`) only with the platform app's token; an unknown token
 *   → 401 `{"error":"Invalid access_token"}`; an account or user the app neither created nor
 *   adopted → 401 `{"error":"Non permissible resource"}`. `POST users` with an e-mail that exists
 *   anywhere returns that user (password unchanged) and adopts it.
 * - Application API teams (`/api/v1/accounts/{id}/teams...`) only with a user token of that
 *   account: the platform token is refused (401), an agent may list teams but not change them
 *   or their members (401 `{"error":"You are not authorized to do this action"}`). Team names
 *   are stripped and lower-cased, unique per account (422).
 *
 * - Inboxes and their members (`/api/v1/accounts/{id}/inboxes`, `.../inbox_members`), which the
 *   recorded contract lacks, as Chatwoot's own controller and swagger define them
 *   (app/controllers/api/v1/accounts/inbox_members_controller.rb, swagger/paths/application/
 *   inboxes; the calls and shapes recorded in chatwoot-inbox-members.fixture.json):
 *   `GET inbox_members/{inbox_id}` → `{payload: [agents]}`; `POST inbox_members {inbox_id,
 *   user_ids}` adds, `PATCH` makes the members exactly those, `DELETE` removes; an
 *   administrator's user token only (agents 401); an unknown inbox 404; a user not in the
 *   account 422 "User must exist". Leaving the account leaves its inboxes.
 *
 * Anything off the contract (an
 * unknown path, a body of another shape) is answered 404/422 and noted in `violations`. A test
 * can edit the state as someone inside Chatwoot would (`local`), count calls, and make it fail.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ChatwootRole = 'agent' | 'administrator';

export interface PlatformDoubleCall {
  method: string;
  path: string;
  token: string | undefined;
  status: number;
}

interface User {
  id: number;
  name: string;
  email: string;
  password: string;
  accessToken: string;
  customAttributes: Record<string, unknown>;
}

interface Team {
  id: number;
  name: string;
  description: string;
  allowAutoAssign: boolean;
  members: Set<number>;
}

interface Inbox {
  id: number;
  name: string;
  members: Set<number>;
}

interface Account {
  id: number;
  name: string;
  /** user id → role */
  users: Map<number, ChatwootRole>;
  teams: Map<number, Team>;
  inboxes: Map<number, Inbox>;
}

export interface ChatwootPlatformDouble {
  url: string;
  platformToken: string;
  /** A fetch for the orchestrator: requests to `url` are answered here. */
  fetch: typeof fetch;
  /**
   * Serves the double over HTTP too (for an orchestrator in another process), on 127.0.0.1 and
   * `port` (0: any free one); resolves to its URL and a close().
   */
  listen(port?: number): Promise<{ url: string; close(): Promise<void> }>;
  calls: PlatformDoubleCall[];
  violations: string[];
  /** Calls whose "METHOD path" (ids as :id) matches, e.g. count('POST /platform/api/v1/users'). */
  count(route?: string): number;
  /** The state as JSON (to show that a dry run changed nothing). */
  snapshot(): string;
  /** The next n calls (of `route` only, when given) answer `status` (500 by default). */
  failNext(n: number, status?: number, route?: string): void;
  /** Reading the state. */
  accountUsers(accountId: number): Map<number, ChatwootRole>;
  teams(accountId: number): Map<string, number[]>;
  /** Inbox name → its members' user ids. */
  inboxMembers(accountId: number): Map<string, number[]>;
  userByEmail(email: string): { id: number; password: string; accessToken: string } | undefined;
  /** Things done inside Chatwoot by a person (not through the API the orchestrator uses). */
  local: {
    /** An account created by the platform app (as `POST /platform/api/v1/accounts` would). */
    createAccount(name: string): number;
    /** An account the platform app did not create (created in Chatwoot's own sign-up). */
    createForeignAccount(name: string): number;
    /** A user signed up in Chatwoot itself (not created by the platform app). */
    createUser(name: string, email: string): number;
    setRole(accountId: number, userId: number, role: ChatwootRole | null): void;
    addTeamMember(accountId: number, teamName: string, userId: number): void;
    createTeam(accountId: number, name: string): number;
    /** An inbox (a channel) set up in Chatwoot's settings. */
    createInbox(accountId: number, name: string): number;
    addInboxMember(accountId: number, inboxId: number, userId: number): void;
    removeInboxMember(accountId: number, inboxId: number, userId: number): void;
  };
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly payload: unknown,
  ) {
    super(JSON.stringify(payload));
  }
}

const NON_PERMISSIBLE = () => new Refusal(401, { error: 'Non permissible resource' });
const ROUTES: Array<[RegExp, string]> = [
  [/^\/platform\/api\/v1\/accounts$/, '/platform/api/v1/accounts'],
  [
    /^\/platform\/api\/v1\/accounts\/\d+\/account_users$/,
    '/platform/api/v1/accounts/:id/account_users',
  ],
  [/^\/platform\/api\/v1\/users$/, '/platform/api/v1/users'],
  [/^\/platform\/api\/v1\/users\/\d+$/, '/platform/api/v1/users/:id'],
  [/^\/platform\/api\/v1\/users\/\d+\/token$/, '/platform/api/v1/users/:id/token'],
  [/^\/api\/v1\/accounts\/\d+\/teams$/, '/api/v1/accounts/:id/teams'],
  [/^\/api\/v1\/accounts\/\d+\/teams\/\d+$/, '/api/v1/accounts/:id/teams/:id'],
  [
    /^\/api\/v1\/accounts\/\d+\/teams\/\d+\/team_members$/,
    '/api/v1/accounts/:id/teams/:id/team_members',
  ],
  [/^\/api\/v1\/accounts\/\d+\/inboxes$/, '/api/v1/accounts/:id/inboxes'],
  [/^\/api\/v1\/accounts\/\d+\/inbox_members$/, '/api/v1/accounts/:id/inbox_members'],
  [/^\/api\/v1\/accounts\/\d+\/inbox_members\/\d+$/, '/api/v1/accounts/:id/inbox_members/:id'],
];
const routeOf = (path: string) => ROUTES.find(([re]) => re.test(path))?.[1] ?? path;

const userJson = (u: User) => ({
  access_token: u.accessToken,
  account_id: null,
  available_name: u.name,
  avatar_url: '',
  confirmed: true,
  display_name: u.name,
  message_signature: null,
  email: u.email,
  id: u.id,
  name: u.name,
  provider: 'email',
  pubsub_token: `pubsub-${u.id}`,
  custom_attributes: u.customAttributes,
  role: null,
  ui_settings: {},
  uid: u.email,
});

const teamJson = (accountId: number, t: Team, userId: number) => ({
  id: t.id,
  name: t.name,
  description: t.description,
  allow_auto_assign: t.allowAutoAssign,
  icon: null,
  icon_color: null,
  account_id: accountId,
  is_member: t.members.has(userId),
});

export function startChatwootPlatformDouble(
  options: { url?: string; platformToken?: string } = {},
): ChatwootPlatformDouble {
  const url = (options.url ?? 'http://chatwoot.test').replace(/\/+$/, '');
  const platformToken = options.platformToken ?? 'chatwoot-platform-app-token';
  const users = new Map<number, User>();
  const accounts = new Map<number, Account>();
  /** What the platform app created or adopted. */
  const permissible = { users: new Set<number>(), accounts: new Set<number>() };
  const emails = new Map<string, User>();
  const calls: PlatformDoubleCall[] = [];
  const violations: string[] = [];
  let nextId = 1;
  let failures = 0;
  let failStatus = 500;
  let failRoute: string | undefined;

  const account = (id: number) => {
    const a = accounts.get(id);
    if (!a) throw new Refusal(404, { error: 'Resource could not be found' });
    return a;
  };
  const newAccount = (name: string) => {
    const id = nextId++;
    accounts.set(id, { id, name, users: new Map(), teams: new Map(), inboxes: new Map() });
    return id;
  };
  const newUser = (name: string, email: string, password: string) => {
    const id = nextId++;
    const user = {
      id,
      name,
      email: email.toLowerCase(),
      password,
      accessToken: `user-token-${id}-${Math.random().toString(36).slice(2)}`,
      customAttributes: {},
    };
    users.set(id, user);
    emails.set(user.email, user);
    return user;
  };
  const byEmail = (email: string) => emails.get(email.toLowerCase());
  const removeFromAccount = (a: Account, userId: number) => {
    a.users.delete(userId);
    // Chatwoot's Agents::DestroyJob: out of the account's teams and inboxes too.
    for (const t of a.teams.values()) t.members.delete(userId);
    for (const i of a.inboxes.values()) i.members.delete(userId);
  };
  const userIds = (body: Record<string, unknown>, what: string): number[] => {
    const ids = body.user_ids;
    if (!Array.isArray(ids) || ids.some((x) => !Number.isInteger(x))) {
      violations.push(`${what}: not {user_ids: number[]} (${JSON.stringify(body)})`);
      throw new Refusal(422, { error: 'user_ids must be a list of user ids' });
    }
    return ids as number[];
  };

  function platform(method: string, path: string, body: Record<string, unknown>): unknown {
    const what = `${method} ${routeOf(path)}`;
    if (method === 'POST' && path === '/platform/api/v1/accounts') {
      if (typeof body.name !== 'string') throw new Refusal(422, { message: 'Name is required' });
      const id = newAccount(body.name);
      permissible.accounts.add(id);
      return { id, name: body.name };
    }
    if (method === 'POST' && path === '/platform/api/v1/users') {
      const { name, email, password } = body;
      if (typeof name !== 'string' || typeof email !== 'string' || typeof password !== 'string') {
        violations.push(`${what}: needs name, email and password (${JSON.stringify(body)})`);
        throw new Refusal(422, { message: 'Name, email and password are required' });
      }
      // An existing e-mail anywhere on the installation: that user, adopted, password unchanged.
      const user = byEmail(email) ?? newUser(name, email, password);
      if (body.custom_attributes && typeof body.custom_attributes === 'object')
        user.customAttributes = body.custom_attributes as Record<string, unknown>;
      permissible.users.add(user.id);
      return userJson(user);
    }
    let m = /^\/platform\/api\/v1\/users\/(\d+)(\/token)?$/.exec(path);
    if (m) {
      const user = users.get(Number(m[1]));
      if (!user) throw new Refusal(404, { error: 'Resource could not be found' });
      if (!permissible.users.has(user.id)) throw NON_PERMISSIBLE();
      if (m[2] && method === 'POST')
        return {
          access_token: user.accessToken,
          expiry: null,
          user: {
            id: user.id,
            name: user.name,
            display_name: user.name,
            email: user.email,
            pubsub_token: `pubsub-${user.id}`,
          },
        };
      if (!m[2] && method === 'GET') return userJson(user);
      if (!m[2] && method === 'DELETE') {
        users.delete(user.id);
        emails.delete(user.email);
        for (const a of accounts.values()) removeFromAccount(a, user.id);
        return userJson(user);
      }
    }
    m = /^\/platform\/api\/v1\/accounts\/(\d+)\/account_users$/.exec(path);
    if (m) {
      const a = account(Number(m[1]));
      if (!permissible.accounts.has(a.id)) throw NON_PERMISSIBLE();
      if (method === 'GET')
        return [...a.users].map(([userId, role]) => ({ account_id: a.id, user_id: userId, role }));
      const userId = body.user_id;
      if (!Number.isInteger(userId)) {
        violations.push(`${what}: not {user_id} (${JSON.stringify(body)})`);
        throw new Refusal(422, { error: 'user_id is required' });
      }
      if (!users.has(userId as number))
        throw new Refusal(404, { error: 'Resource could not be found' });
      if (method === 'POST') {
        const role = body.role ?? 'agent';
        if (role !== 'agent' && role !== 'administrator') {
          violations.push(`${what}: role ${JSON.stringify(role)}`);
          throw new Refusal(422, { message: `'${String(role)}' is not a valid role` });
        }
        a.users.set(userId as number, role);
        return {
          id: a.id * 100_000 + (userId as number),
          account_id: a.id,
          user_id: userId,
          role,
          inviter_id: null,
          active_at: null,
          availability: 'online',
          auto_offline: true,
          custom_role_id: null,
          agent_capacity_policy_id: null,
        };
      }
      if (method === 'DELETE') {
        if (!a.users.has(userId as number))
          throw new Refusal(404, { error: 'Resource could not be found' });
        removeFromAccount(a, userId as number);
        return {};
      }
    }
    violations.push(`${what}: not an endpoint of the contract`);
    throw new Refusal(404, { error: 'not found' });
  }

  /** The caller's user and role in the account, as the Application API checks them. */
  function member(accountId: number, what: string, token: string | undefined) {
    const user = [...users.values()].find((u) => u.accessToken === token);
    if (!user) {
      // The platform app's token (or any other) is no user's: the Application API refuses it.
      if (token === platformToken)
        violations.push(`${what}: called with the platform token (the Application API refuses it)`);
      throw new Refusal(401, { error: 'Invalid Access Token' });
    }
    const a = account(accountId);
    const role = a.users.get(user.id);
    if (!role) throw new Refusal(401, { error: 'You are not authorized to access this account' });
    return { user, a, role };
  }

  const agentJson = (a: Account, id: number) => ({
    id,
    name: users.get(id)?.name,
    email: users.get(id)?.email,
    role: a.users.get(id),
    confirmed: true,
  });

  function inboxes(
    method: string,
    what: string,
    m: RegExpExecArray,
    token: string | undefined,
    body: Record<string, unknown>,
  ): unknown {
    const { a, role } = member(Number(m[1]), what, token);
    if (m[2] === 'inboxes' && !m[3] && method === 'GET')
      return {
        payload: [...a.inboxes.values()].map((i) => ({
          id: i.id,
          name: i.name,
          channel_type: 'Channel::WebWidget',
          account_id: a.id,
        })),
      };
    if (m[2] === 'inbox_members') {
      if (role !== 'administrator')
        throw new Refusal(401, { error: 'You are not authorized to do this action' });
      if (m[3] && method === 'GET') {
        const inbox = a.inboxes.get(Number(m[3]));
        if (!inbox) throw new Refusal(404, { error: 'Resource could not be found' });
        return { payload: [...inbox.members].map((id) => agentJson(a, id)) };
      }
      if (!m[3] && (method === 'POST' || method === 'PATCH' || method === 'DELETE')) {
        if (!Number.isInteger(body.inbox_id)) {
          violations.push(`${what}: no inbox_id (${JSON.stringify(body)})`);
          throw new Refusal(404, { error: 'Resource could not be found' });
        }
        const inbox = a.inboxes.get(body.inbox_id as number);
        if (!inbox) throw new Refusal(404, { error: 'Resource could not be found' });
        const ids = userIds(body, what);
        if (method !== 'DELETE' && ids.some((id) => !a.users.has(id)))
          throw new Refusal(422, { message: 'User must exist' });
        // POST adds, PATCH makes the members exactly these, DELETE removes.
        if (method === 'POST') for (const id of ids) inbox.members.add(id);
        else if (method === 'PATCH') inbox.members = new Set(ids);
        else {
          for (const id of ids) inbox.members.delete(id);
          return {};
        }
        return { payload: [...inbox.members].map((id) => agentJson(a, id)) };
      }
    }
    violations.push(`${what}: method not in Chatwoot's API`);
    throw new Refusal(404, { error: 'not found' });
  }

  function application(
    method: string,
    path: string,
    token: string | undefined,
    body: Record<string, unknown>,
  ): unknown {
    const what = `${method} ${routeOf(path)}`;
    const inboxPath = /^\/api\/v1\/accounts\/(\d+)\/(inboxes|inbox_members)(?:\/(\d+))?$/.exec(
      path,
    );
    if (inboxPath) return inboxes(method, what, inboxPath, token, body);
    const m = /^\/api\/v1\/accounts\/(\d+)\/teams(?:\/(\d+)(\/team_members)?)?$/.exec(path);
    if (!m) {
      violations.push(`${what}: not an endpoint this double serves`);
      throw new Refusal(404, { error: 'not found' });
    }
    const { user, a, role } = member(Number(m[1]), what, token);
    const admin = () => {
      if (role !== 'administrator')
        throw new Refusal(401, { error: 'You are not authorized to do this action' });
    };
    if (!m[2]) {
      if (method === 'GET') return [...a.teams.values()].map((t) => teamJson(a.id, t, user.id));
      if (method === 'POST') {
        admin();
        const t = (body.team ?? body) as Record<string, unknown>;
        if (typeof t.name !== 'string' || !t.name.trim()) {
          violations.push(`${what}: no team name (${JSON.stringify(body)})`);
          throw new Refusal(422, { message: "Name can't be blank" });
        }
        const name = t.name.trim().toLowerCase();
        if ([...a.teams.values()].some((x) => x.name === name))
          throw new Refusal(422, { message: 'Name has already been taken', attributes: ['name'] });
        const team: Team = {
          id: nextId++,
          name,
          description: typeof t.description === 'string' ? t.description : '',
          allowAutoAssign: t.allow_auto_assign !== false,
          members: new Set(),
        };
        a.teams.set(team.id, team);
        return teamJson(a.id, team, user.id);
      }
    }
    const team = a.teams.get(Number(m[2]));
    if (!team) throw new Refusal(404, { error: 'Resource could not be found' });
    if (!m[3]) {
      if (method === 'GET') return teamJson(a.id, team, user.id);
      admin();
      if (method === 'DELETE') {
        a.teams.delete(team.id);
        return {};
      }
    } else {
      admin();
      if (method === 'GET')
        return [...team.members].map((id) => ({
          id,
          name: users.get(id)?.name,
          email: users.get(id)?.email,
          role: a.users.get(id),
        }));
      const ids = userIds(body, what);
      if (ids.some((id) => !a.users.has(id))) throw new Refusal(401, { error: 'Invalid User IDs' });
      if (method === 'POST') for (const id of ids) team.members.add(id);
      else if (method === 'PATCH') team.members = new Set(ids);
      else if (method === 'DELETE') for (const id of ids) team.members.delete(id);
      else throw new Refusal(404, { error: 'not found' });
      return [...team.members].map((id) => ({ id, name: users.get(id)?.name }));
    }
    violations.push(`${what}: method not in the contract`);
    throw new Refusal(404, { error: 'not found' });
  }

  const answer = (status: number, payload: unknown) =>
    new Response(JSON.stringify(payload), {
      status,
      headers: { 'content-type': 'application/json' },
    });

  const doubleFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const target = new URL(request.url);
    if (`${target.protocol}//${target.host}` !== new URL(url).origin)
      throw new TypeError(`fetch failed: ${request.url} is not the Chatwoot double (${url})`);
    const method = request.method;
    const path = target.pathname;
    const token = request.headers.get('api_access_token') ?? undefined;
    const text = await request.text();
    let body: Record<string, unknown> = {};
    let status = 200;
    let payload: unknown;
    try {
      if (text) {
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          violations.push(`${method} ${path}: body is not JSON`);
          throw new Refusal(400, { error: 'body is not JSON' });
        }
        if (request.headers.get('content-type') !== 'application/json')
          violations.push(`${method} ${path}: a body without content-type application/json`);
      }
      if (failures > 0 && (!failRoute || failRoute === `${method} ${routeOf(path)}`)) {
        failures -= 1;
        throw new Refusal(failStatus, { error: 'test double told to fail' });
      }
      if (path.startsWith('/platform/')) {
        if (token !== platformToken) throw new Refusal(401, { error: 'Invalid access_token' });
        payload = platform(method, path, body);
      } else payload = application(method, path, token, body);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      status = err.status;
      payload = err.payload;
    }
    calls.push({ method, path, token, status });
    return answer(status, payload);
  };

  const listen = async (port = 0) => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === 'string') headers.set(k, v);
        void doubleFetch(`${url}${req.url ?? '/'}`, {
          method: req.method,
          headers,
          body: body.length ? body : undefined,
        }).then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(await answer.text());
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  };

  return {
    url,
    platformToken,
    fetch: doubleFetch as typeof fetch,
    listen,
    calls,
    violations,
    count: (route) =>
      route === undefined
        ? calls.length
        : calls.filter((c) => `${c.method} ${routeOf(c.path)}` === route).length,
    snapshot: () =>
      JSON.stringify({
        users: [...users.values()].map((u) => [u.id, u.email, u.password]),
        permissible: [[...permissible.users], [...permissible.accounts]],
        accounts: [...accounts.values()].map((a) => [
          a.id,
          [...a.users],
          [...a.teams.values()].map((t) => [t.id, t.name, [...t.members].sort()]),
          [...a.inboxes.values()].map((i) => [i.id, i.name, [...i.members].sort()]),
        ]),
      }),
    failNext(n, status = 500, route) {
      failures = n;
      failStatus = status;
      failRoute = route;
    },
    accountUsers: (id) => new Map(account(id).users),
    teams: (id) =>
      new Map(
        [...account(id).teams.values()].map((t) => [t.name, [...t.members].sort((x, y) => x - y)]),
      ),
    inboxMembers: (id) =>
      new Map(
        [...account(id).inboxes.values()].map((i) => [
          i.name,
          [...i.members].sort((x, y) => x - y),
        ]),
      ),
    userByEmail(email) {
      const u = byEmail(email);
      return u && { id: u.id, password: u.password, accessToken: u.accessToken };
    },
    local: {
      createAccount(name) {
        const id = newAccount(name);
        permissible.accounts.add(id);
        return id;
      },
      createForeignAccount: newAccount,
      createUser: (name, email) => newUser(name, email, 'set-in-chatwoot').id,
      setRole(accountId, userId, role) {
        const a = account(accountId);
        if (role) a.users.set(userId, role);
        else removeFromAccount(a, userId);
      },
      addTeamMember(accountId, teamName, userId) {
        const t = [...account(accountId).teams.values()].find(
          (x) => x.name === teamName.toLowerCase(),
        );
        if (!t) throw new Error(`no team ${teamName} in account ${accountId}`);
        t.members.add(userId);
      },
      createInbox(accountId, name) {
        const id = nextId++;
        account(accountId).inboxes.set(id, { id, name, members: new Set() });
        return id;
      },
      addInboxMember(accountId, inboxId, userId) {
        const inbox = account(accountId).inboxes.get(inboxId);
        if (!inbox) throw new Error(`no inbox ${inboxId} in account ${accountId}`);
        inbox.members.add(userId);
      },
      removeInboxMember(accountId, inboxId, userId) {
        account(accountId).inboxes.get(inboxId)?.members.delete(userId);
      },
      createTeam(accountId, name) {
        const id = nextId++;
        account(accountId).teams.set(id, {
          id,
          name: name.trim().toLowerCase(),
          description: '',
          allowAutoAssign: true,
          members: new Set(),
        });
        return id;
      },
    },
  };
}
