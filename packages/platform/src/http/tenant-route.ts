import { z } from 'zod';

/** What every tenant-scoped /api/v1 route declares: bearer auth, X-Tenant-Id, an :id param. */
/** Either scheme: a bearer token pasted in, or signing in from the API reference (OAuth2). */
export const security: Record<string, string[]>[] = [{ bearer: [] }, { oauth2: ['openid'] }];
export const tenantHeaders = z.object({
  'x-tenant-id': z.uuid().optional().describe('The tenant this request acts in (required)'),
  'idempotency-key': z.string().max(255).optional().describe('Makes a retry of this request safe'),
});
export const params = z.object({ id: z.uuid() });
