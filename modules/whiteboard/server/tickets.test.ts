import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TicketIssuer } from './tickets.ts';

const claims = {
  tenantId: '11111111-1111-4111-8111-111111111111',
  userId: '22222222-2222-4222-8222-222222222222',
  boardId: '33333333-3333-4333-8333-333333333333',
  readonly: false,
};

describe('sync socket tickets', () => {
  it('open one socket, on their board, until they expire', () => {
    let now = 1_000_000;
    const issuer = new TicketIssuer(randomBytes(32), 60_000, () => now);
    const { ticket, expiresAt } = issuer.issue(claims);
    expect(expiresAt.getTime()).toBe(now + 60_000);
    expect(issuer.redeem(ticket, 'another-board')).toBeNull();
    expect(issuer.redeem(ticket, claims.boardId)).toEqual(claims);
    expect(issuer.redeem(ticket, claims.boardId)).toBeNull(); // used

    const late = issuer.issue(claims).ticket;
    now += 60_000;
    expect(issuer.redeem(late, claims.boardId)).toBeNull(); // expired
  });

  it('are refused when signed with another key, altered or malformed', () => {
    const issuer = new TicketIssuer(randomBytes(32), 60_000);
    const other = new TicketIssuer(randomBytes(32), 60_000);
    expect(issuer.redeem(other.issue(claims).ticket, claims.boardId)).toBeNull();

    const [payload, signature] = issuer.issue({ ...claims, readonly: true }).ticket.split('.');
    const lifted = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const altered = Buffer.from(JSON.stringify({ ...lifted, r: false })).toString('base64url');
    expect(issuer.redeem(`${altered}.${signature}`, claims.boardId)).toBeNull();

    for (const bad of [undefined, '', 'x', 'a.b.c', '.', `${payload}.`, 'x'.repeat(2000)])
      expect(issuer.redeem(bad, claims.boardId)).toBeNull();
  });

  it('say read-only for viewers', () => {
    const issuer = new TicketIssuer(randomBytes(32), 60_000);
    const { ticket } = issuer.issue({ ...claims, readonly: true });
    expect(issuer.redeem(ticket, claims.boardId)?.readonly).toBe(true);
  });
});
