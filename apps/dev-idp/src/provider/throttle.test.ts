/** Sign-in throttling: failed password checks per username and per address, as Keycloak answers. */
import { describe, expect, it } from 'vitest';
import { Jar, post, useTestIdp } from './fixture.ts';
import { SignInThrottle } from './throttle.ts';

const t = useTestIdp({ signInLimit: { max: 3, windowMs: 60_000 } });

const grant = (username: string, password: string) =>
  t.passwordGrant({ client_id: 'afenda-test', username, password, scope: 'openid' });

describe('the throttle', () => {
  it('counts failures per username and per address, each in its own window', () => {
    let now = 0;
    const throttle = new SignInThrottle({ max: 2, windowMs: 1000 }, () => now);
    throttle.failed('Alice', '10.0.0.1');
    throttle.failed('alice', '10.0.0.2');
    // alice used her budget whatever the address or case; the addresses did not.
    expect(throttle.locked('ALICE', '10.0.0.3')).toBe(true);
    expect(throttle.locked('ada', '10.0.0.1')).toBe(false);
    throttle.failed('ada', '10.0.0.1');
    throttle.failed('arjun', '10.0.0.1');
    // 10.0.0.1 used its budget on two other names: a third name from there waits too.
    expect(throttle.locked('gloria', '10.0.0.1')).toBe(true);
    expect(throttle.locked('gloria', '10.0.0.9')).toBe(false);
    now = 1000;
    expect(throttle.locked('alice', '10.0.0.1')).toBe(false);
  });
});

describe('the development provider under a password-guessing attack', () => {
  it('refuses the password grant once over the budget, the right password included, as a wrong one', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await grant('aaron', `guess-${i}`);
      expect(res.status).toBe(400);
    }
    const locked = await grant('aaron', 'demo-aaron');
    expect(locked.status).toBe(400);
    expect(await locked.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid user credentials',
    });
  });

  it('refuses the sign-in form the same way, for the same budget', async () => {
    // This address spent its budget above: the form answers as for a wrong password.
    const jar = new Jar();
    const loginUrl = await t.loginFormUrl(jar);
    const res = await post(loginUrl, { username: 'alice', password: 'demo-alice' }, { jar });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Invalid username or password.');
  });
});
