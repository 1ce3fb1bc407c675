import type { TenantRole } from '../context.ts';

/** Who is asking, once their token verified and they are a known, enabled user. */
export interface RequestAuth {
  userId: string;
  /** Keycloak's user id (the token's sub). */
  subject: string;
  username: string;
  /** The Keycloak session (the token's sid), when the token has one. */
  sessionId: string | null;
  /** When the access token expires (ms since the epoch): long-lived streams end then. */
  tokenExpiresAt?: number;
  /** Set only when the request named a tenant (X-Tenant-Id) the user belongs to. */
  tenantId?: string;
  role?: TenantRole;
  canApprove?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authentication; rate limits, tenancy and routes read it. */
    auth?: RequestAuth;
  }
}
