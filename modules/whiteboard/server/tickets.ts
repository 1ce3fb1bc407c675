import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Who a ticket lets in, where. */
export interface TicketClaims {
  tenantId: string;
  userId: string;
  boardId: string;
  readonly: boolean;
}

/**
 * Tickets for the live sync socket. A browser cannot put an Authorization header on a
 * WebSocket, and an access token in a URL would end up in logs; so the Shell, holding the
 * user's token server-side, asks the API for a ticket (an authenticated POST), and the browser
 * opens the socket with it. A ticket is HMAC-signed, names one tenant, user and board, lives
 * seconds, and opens one socket: a second use is refused.
 */
export class TicketIssuer {
  private readonly used = new Map<string, number>();

  constructor(
    private readonly secret: Buffer,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(claims: TicketClaims): { ticket: string; expiresAt: Date } {
    const expiresAt = new Date(this.now() + this.ttlMs);
    const payload = Buffer.from(
      JSON.stringify({
        t: claims.tenantId,
        u: claims.userId,
        b: claims.boardId,
        r: claims.readonly,
        e: expiresAt.getTime(),
        n: randomBytes(12).toString('base64url'),
      }),
    ).toString('base64url');
    return { ticket: `${payload}.${this.sign(payload)}`, expiresAt };
  }

  /** The claims of a genuine, unexpired, unused ticket for this board; null otherwise. */
  redeem(ticket: string | undefined, boardId: string): TicketClaims | null {
    if (!ticket || ticket.length > 1024) return null;
    const [payload, signature, extra] = ticket.split('.');
    if (!payload || !signature || extra !== undefined) return null;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    let claims: { t?: unknown; u?: unknown; b?: unknown; r?: unknown; e?: unknown; n?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return null;
    }
    const now = this.now();
    if (typeof claims.e !== 'number' || claims.e <= now || typeof claims.n !== 'string')
      return null;
    if (claims.b !== boardId || typeof claims.t !== 'string' || typeof claims.u !== 'string')
      return null;
    this.forgetExpired(now);
    if (this.used.has(claims.n)) return null;
    this.used.set(claims.n, claims.e);
    return { tenantId: claims.t, userId: claims.u, boardId, readonly: claims.r === true };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  private forgetExpired(now: number): void {
    for (const [nonce, expires] of this.used) if (expires <= now) this.used.delete(nonce);
  }
}
