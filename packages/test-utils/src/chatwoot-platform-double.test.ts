import { describe, expect, it } from 'vitest';
import { startChatwootPlatformDouble } from './chatwoot-platform-double.ts';

describe('the stateful Chatwoot double enforces what Chatwoot enforces', () => {
  const setup = () => {
    const cw = startChatwootPlatformDouble();
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const res = await cw.fetch(`${cw.url}${path}`, {
        method,
        headers: {
          api_access_token: token,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    return { cw, call, P: cw.platformToken };
  };

  it('Platform API: only the platform token, only on what it created or adopted', async () => {
    const { cw, call, P } = setup();
    const mine = cw.local.createAccount('Acme');
    const foreign = cw.local.createForeignAccount('Elsewhere');
    expect(
      (await call('wrong', 'GET', `/platform/api/v1/accounts/${mine}/account_users`)).body,
    ).toEqual({ error: 'Invalid access_token' });
    const refused = await call(P, 'GET', `/platform/api/v1/accounts/${foreign}/account_users`);
    expect(refused).toEqual({ status: 401, body: { error: 'Non permissible resource' } });

    // A user who signed up in Chatwoot: not the app's until adopted by e-mail.
    const own = cw.local.createUser('Alice', 'alice@acme.example');
    expect((await call(P, 'POST', `/platform/api/v1/users/${own}/token`)).body).toEqual({
      error: 'Non permissible resource',
    });
    const adopted = await call(P, 'POST', '/platform/api/v1/users', {
      name: 'Alice A',
      email: 'ALICE@acme.example',
      password: 'Other-Passw0rd!',
    });
    expect(adopted.body).toMatchObject({ id: own, email: 'alice@acme.example' });
    expect(cw.userByEmail('alice@acme.example')?.password).toBe('set-in-chatwoot');
    expect((await call(P, 'POST', `/platform/api/v1/users/${own}/token`)).status).toBe(200);

    const upsert = (role: string) =>
      call(P, 'POST', `/platform/api/v1/accounts/${mine}/account_users`, { user_id: own, role });
    expect((await upsert('agent')).body).toMatchObject({ user_id: own, role: 'agent' });
    expect((await upsert('administrator')).body).toMatchObject({ role: 'administrator' });
    expect(cw.accountUsers(mine).get(own)).toBe('administrator');
    expect((await upsert('owner')).status).toBe(422);
    expect(cw.count('POST /platform/api/v1/accounts/:id/account_users')).toBe(3);
  });

  it('teams: an administrator user token of the account; the platform token and agents are refused', async () => {
    const { cw, call, P } = setup();
    const account = cw.local.createAccount('Acme');
    const admin = await call(P, 'POST', '/platform/api/v1/users', {
      name: 'Ada',
      email: 'ada@acme.example',
      password: 'Str0ng!Passw0rd',
    });
    const agent = await call(P, 'POST', '/platform/api/v1/users', {
      name: 'Aaron',
      email: 'aaron@acme.example',
      password: 'Str0ng!Passw0rd',
    });
    cw.local.setRole(account, admin.body.id as number, 'administrator');
    cw.local.setRole(account, agent.body.id as number, 'agent');
    const teams = `/api/v1/accounts/${account}/teams`;

    expect((await call(P, 'GET', teams)).status).toBe(401);
    expect(cw.violations.join()).toMatch(/platform token/);
    const stranger = cw.local.createAccount('Other');
    expect(
      (await call(admin.body.access_token as string, 'GET', `/api/v1/accounts/${stranger}/teams`))
        .status,
    ).toBe(401);

    const agentToken = agent.body.access_token as string;
    expect(await call(agentToken, 'POST', teams, { team: { name: 'Support' } })).toEqual({
      status: 401,
      body: { error: 'You are not authorized to do this action' },
    });
    const adminToken = admin.body.access_token as string;
    const created = await call(adminToken, 'POST', teams, { team: { name: '  Support ' } });
    expect(created.body).toMatchObject({ name: 'support', account_id: account });
    expect((await call(adminToken, 'POST', teams, { team: { name: 'SUPPORT' } })).status).toBe(422);
    expect((await call(agentToken, 'GET', teams)).status).toBe(200);

    const members = `${teams}/${created.body.id as number}/team_members`;
    const ids = [admin.body.id, agent.body.id];
    expect((await call(agentToken, 'POST', members, { user_ids: ids })).status).toBe(401);
    expect((await call(adminToken, 'POST', members, { user_ids: ids })).status).toBe(200);
    expect((await call(adminToken, 'PATCH', members, { user_ids: [agent.body.id] })).status).toBe(
      200,
    );
    expect(cw.teams(account).get('support')).toEqual([agent.body.id]);
    // Someone outside the account can't be put in its team.
    const outsider = cw.local.createUser('Out', 'out@example.org');
    expect((await call(adminToken, 'POST', members, { user_ids: [outsider] })).status).toBe(401);
    // Leaving the account leaves its teams.
    cw.local.setRole(account, agent.body.id as number, null);
    expect(cw.teams(account).get('support')).toEqual([]);
  });

  it('fails on request, for one route or all', async () => {
    const { cw, call, P } = setup();
    const account = cw.local.createAccount('Acme');
    cw.failNext(1, 503, 'POST /platform/api/v1/users');
    expect(
      (await call(P, 'GET', `/platform/api/v1/accounts/${account}/account_users`)).status,
    ).toBe(200);
    expect(
      (
        await call(P, 'POST', '/platform/api/v1/users', {
          name: 'a',
          email: 'a@b.c',
          password: 'x',
        })
      ).status,
    ).toBe(503);
    await expect(cw.fetch('http://elsewhere.test/')).rejects.toThrow(/not the Chatwoot double/);
  });
});
