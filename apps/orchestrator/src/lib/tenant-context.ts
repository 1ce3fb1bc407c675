import type { FastifyRequest } from 'fastify';
import type { Actor } from '../domain/approvals/approvals.ts';
import { tenantNotFound } from '../domain/tenants/tenants.ts';
import { AppError } from '../errors.ts';

/**
 * The tenant a tenant-scoped request acts in: named by X-Tenant-Id and checked against
 * membership by authentication. Not a member (or no such tenant): 404, no hint either way.
 */
export function actorOf(request: FastifyRequest): Actor {
  const auth = request.auth;
  if (!auth) throw new AppError('UNAUTHENTICATED', 401, 'Sign in first');
  if (request.headers['x-tenant-id'] === undefined) {
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
