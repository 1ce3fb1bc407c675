import { ErrorCodes } from '@afenda/contracts';
import { schema, type Database } from '@afenda/db';
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { DirectorySync } from '../domain/identity/sync.ts';
import { namedTenant } from '@afenda/platform/http/tenant-context';
import { errorBody } from '@afenda/platform/errors';
import type { RequestAuth } from '@afenda/platform/http/request-auth';
import {
  IssuerUnavailable,
  TokenRejected,
  type AccessClaims,
  type TokenVerifier,
} from './verify-token.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'public' routes need no token (service info, docs, signed webhooks). Default: required. */
    auth?: 'public' | 'required';
  }
  interface FastifyRequest {
    authFailure?: {
      status: 401 | 503;
      message: string;
      oauthError?: 'invalid_token' | 'invalid_request';
    };
  }
}

/**
 * Subjects a reconcile just found nowhere in the directory: a validly signed token for someone
 * the workspace doesn't know shouldn't cost a Keycloak round trip (and a sync_runs row) on every
 * request. Forgotten after a minute, so a user added meanwhile gets in at their next try.
 */
class ExpiringSet {
  private readonly until = new Map<string, number>();
  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}
  has(key: string): boolean {
    const t = this.until.get(key);
    if (t === undefined) return false;
    if (t > Date.now()) return true;
    this.until.delete(key);
    return false;
  }
  add(key: string): void {
    if (this.until.size >= this.max) this.until.delete(this.until.keys().next().value as string);
    this.until.set(key, Date.now() + this.ttlMs);
  }
}
const unknownSubjects = new ExpiringSet(60_000, 10_000);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AuthOptions {
  database: Database;
  verify: TokenVerifier;
  sync: DirectorySync;
}

interface UserRow {
  id: string;
  username: string;
  enabled: boolean;
  loginSyncedAt: Date | null;
  /** The membership in the tenant the request names, if any. */
  role: 'owner' | 'admin' | 'member' | 'viewer' | null;
  canApprove: boolean | null;
}

/**
 * The user behind a verified subject and, in the same query, their membership in the tenant
 * the request names: one transaction per request for identity and tenancy together.
 */
async function loadUser(
  database: Database,
  subject: string,
  tenantId: string | null,
): Promise<UserRow | undefined> {
  const { users, userTenants } = schema;
  const [row] = await database.transaction({ subject, tenantId }, (tx) =>
    tx
      .select({
        id: users.id,
        username: users.username,
        enabled: users.enabled,
        loginSyncedAt: users.loginSyncedAt,
        role: userTenants.role,
        canApprove: userTenants.canApprove,
      })
      .from(users)
      .leftJoin(
        userTenants,
        and(eq(userTenants.userId, users.id), eq(userTenants.tenantId, tenantId ?? sql`null`)),
      )
      .where(eq(users.keycloakId, subject)),
  );
  return row;
}

/**
 * Identify: verify the bearer token, resolve its subject to a mirrored user (reconciling that
 * user from Keycloak at each new login, i.e. each new auth_time), and the tenant the request
 * names. It never answers the request itself: routes that need a caller refuse in the
 * `requireAuth` hook, so public routes stay public and rate limits can key on the user.
 */
export async function identify(options: AuthOptions, request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization;
  if (header === undefined) return;
  const match = /^Bearer +([^ ]+) *$/i.exec(header);
  if (!match?.[1]) {
    request.authFailure = {
      status: 401,
      message: 'Authorization must be "Bearer <access token>"',
      oauthError: 'invalid_request',
    };
    return;
  }
  let claims: AccessClaims;
  try {
    claims = await options.verify(match[1]);
  } catch (err) {
    if (err instanceof TokenRejected) {
      request.authFailure = { status: 401, message: err.message, oauthError: err.oauthError };
      return;
    }
    if (err instanceof IssuerUnavailable) {
      request.log.warn(
        { err: { message: err.message } },
        'cannot verify tokens: issuer unavailable',
      );
      request.authFailure = {
        status: 503,
        message: 'The identity provider cannot be reached to verify your token; try again shortly',
      };
      return;
    }
    throw err;
  }

  const refuse = (message: string) => {
    request.authFailure = { status: 401, message, oauthError: 'invalid_token' };
  };
  if (unknownSubjects.has(claims.sub)) return refuse('This account is not known to the workspace');
  const tenantHeader = namedTenant(request);
  const named = typeof tenantHeader === 'string' && UUID.test(tenantHeader) ? tenantHeader : null;
  let user = await loadUser(options.database, claims.sub, named);
  const loginAt =
    typeof claims.auth_time === 'number' ? new Date(claims.auth_time * 1000) : undefined;
  const newLogin = loginAt && (!user?.loginSyncedAt || loginAt > user.loginSyncedAt);
  if (!user || newLogin) {
    const run = await options.sync.reconcileUser(claims.sub, 'login');
    if (run.status === 'succeeded' && loginAt) {
      await options.database.transaction({ sync: true }, (tx) =>
        tx
          .update(schema.users)
          .set({ loginSyncedAt: loginAt })
          .where(eq(schema.users.keycloakId, claims.sub)),
      );
    }
    user = await loadUser(options.database, claims.sub, named);
  }
  if (!user) {
    unknownSubjects.add(claims.sub);
    return refuse('This account is not known to the workspace');
  }
  if (!user.enabled) return refuse('This account is disabled');
  const auth: RequestAuth = {
    userId: user.id,
    subject: claims.sub,
    username: user.username,
    sessionId: claims.sid ?? null,
    ...(typeof claims.exp === 'number' ? { tokenExpiresAt: claims.exp * 1000 } : {}),
  };
  if (named && user.role) {
    Object.assign(auth, { tenantId: named, role: user.role, canApprove: user.canApprove ?? false });
  }
  request.auth = auth;
}

export function refuse(
  reply: FastifyReply,
  failure: NonNullable<FastifyRequest['authFailure']> | undefined,
) {
  if (failure?.status === 503) {
    return reply
      .status(503)
      .header('retry-after', 5)
      .send(errorBody(ErrorCodes.SERVICE_UNAVAILABLE, failure.message));
  }
  const params = ['realm="afenda"'];
  if (failure?.oauthError)
    params.push(
      `error="${failure.oauthError}"`,
      `error_description="${failure.message.replaceAll('"', "'")}"`,
    );
  return reply
    .status(401)
    .header('www-authenticate', `Bearer ${params.join(', ')}`)
    .send(
      errorBody(
        ErrorCodes.UNAUTHENTICATED,
        failure?.message ?? 'Sign in: this endpoint needs a bearer access token',
      ),
    );
}

/** Refuses, before the body is read, every route of the scope that is not public. */
export const requireAuth = fp(
  async function requireAuth(app: FastifyInstance) {
    app.addHook('onRequest', (request, reply, done) => {
      const route = request.routeOptions.url;
      // Unknown routes get their 404; the operational probes outside /api/v1 are open.
      if (
        !route ||
        !route.startsWith('/api/v1') ||
        request.routeOptions.config?.auth === 'public' ||
        request.auth
      ) {
        return done();
      }
      refuse(reply, request.authFailure);
    });
  },
  { name: 'require-auth' },
);
