import type {} from './request-auth.ts';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../context.ts';
import { AppError, tenantNotFound } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route also takes the tenant as a `tenant` query parameter (EventSource sets no headers). */
    tenantQuery?: boolean;
  }
}

/** The tenant the request names: X-Tenant-Id, or `?tenant=` on routes that accept it. */
export function namedTenant(request: FastifyRequest): string | undefined {
  const header = request.headers['x-tenant-id'];
  if (header !== undefined) return Array.isArray(header) ? header[0] : header;
  if (!request.routeOptions.config?.tenantQuery) return undefined;
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.tenant === 'string' ? query.tenant : undefined;
}

/**
 * The tenant a tenant-scoped request acts in: named by X-Tenant-Id and checked against
 * membership by authentication. Not a member (or no such tenant): 404, no hint either way.
 */
export function actorOf(request: FastifyRequest): Actor {
  const auth = request.auth;
  if (!auth) throw new AppError('UNAUTHENTICATED', 401, 'Sign in first');
  if (namedTenant(request) === undefined) {
    throw new AppError(
      'TENANT_REQUIRED',
      400,
      'Name the tenant this request acts in with the X-Tenant-Id header',
    );
  }
  if (!auth.tenantId || !auth.role) throw tenantNotFound();
  return {
    tenantId: auth.tenantId,
    userId: auth.userId,
    role: auth.role,
    canApprove: auth.canApprove ?? false,
  };
}
