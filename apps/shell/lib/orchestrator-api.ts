/**
 * The Shell's one way to call the orchestrator's authenticated API (`/api/v1`): adds the user's
 * bearer token, checks each answer against the shared contracts, and turns the error envelope
 * (`{ error: { code, message, details } }`) into an {@link OrchestratorApiError}. When the
 * orchestrator can't be reached or answers something that isn't the API, it throws an
 * {@link OrchestratorUnavailableError}.
 *
 * Server-only: the access token must never reach the browser.
 */
import {
  errorBodySchema,
  meSchema,
  tenantNodeSchema,
  tenantSchema,
  type Tenant,
  type TenantNode,
} from '@afenda/contracts';
import { z } from 'zod';

export type Me = z.infer<typeof meSchema>;

export interface TenantTree {
  tenants: TenantNode[];
  activeTenantId: string | null;
}

/** The orchestrator answered with its error envelope. */
export class OrchestratorApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'OrchestratorApiError';
  }
}

/** The orchestrator could not be reached, timed out, or did not answer as the API does. */
export class OrchestratorUnavailableError extends Error {
  constructor(
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OrchestratorUnavailableError';
  }
}

export interface OrchestratorApiOptions {
  baseUrl: string;
  accessToken: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface OrchestratorApi {
  getMe(): Promise<Me>;
  listTenants(): Promise<TenantTree>;
  switchTenant(tenantId: string): Promise<Tenant>;
}

const meta = z.object({ requestId: z.string().optional() }).catchall(z.unknown());
const meEnvelope = z.object({ data: meSchema, meta: meta.optional() });
const tenantsEnvelope = z.object({
  data: z.array(tenantNodeSchema),
  meta: meta.extend({ activeTenantId: z.string().nullable().optional() }),
});
const tenantEnvelope = z.object({ data: tenantSchema, meta: meta.optional() });

export type OrchestratorMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One authenticated call: JSON in (optional), the envelope checked against `schema` out. */
export type OrchestratorRequest = <T>(
  method: OrchestratorMethod,
  path: string,
  schema: z.ZodType<T>,
  init?: { body?: unknown; tenantId?: string | null },
) => Promise<T>;

export function createOrchestratorRequest(options: OrchestratorApiOptions): OrchestratorRequest {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5_000;
  const doFetch = options.fetch ?? fetch;

  return async function request<T>(
    method: OrchestratorMethod,
    path: string,
    schema: z.ZodType<T>,
    init: { body?: unknown; tenantId?: string | null } = {},
  ): Promise<T> {
    const url = `${baseUrl}/api/v1${path}`;
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        cache: 'no-store',
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${options.accessToken}`,
          ...(init.tenantId ? { 'x-tenant-id': init.tenantId } : {}),
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new OrchestratorUnavailableError(describeFetchError(err, timeoutMs), url, {
        cause: err,
      });
    }
    // 204: nothing to read; the schema says whether that is what was expected.
    if (response.status === 204) return schema.parse(null);
    let body: unknown;
    try {
      body = await response.json();
    } catch (err) {
      throw new OrchestratorUnavailableError(`HTTP ${response.status} without a JSON body`, url, {
        cause: err,
      });
    }
    if (!response.ok) {
      const envelope = errorBodySchema.safeParse(body);
      if (envelope.success) {
        const { code, message, details } = envelope.data.error;
        throw new OrchestratorApiError(response.status, code, message, details);
      }
      throw new OrchestratorUnavailableError(`HTTP ${response.status}`, url);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new OrchestratorUnavailableError(
        `Unexpected response body: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        url,
      );
    }
    return parsed.data;
  };
}

export function createOrchestratorApi(options: OrchestratorApiOptions): OrchestratorApi {
  const request = createOrchestratorRequest(options);

  return {
    async getMe() {
      return (await request('GET', '/me', meEnvelope)).data;
    },
    async listTenants() {
      const body = await request('GET', '/tenants', tenantsEnvelope);
      return { tenants: body.data, activeTenantId: body.meta.activeTenantId ?? null };
    },
    async switchTenant(tenantId: string) {
      return (
        await request('POST', `/tenants/${encodeURIComponent(tenantId)}/switch`, tenantEnvelope)
      ).data;
    },
  };
}

/** Depth-first, in the orchestrator's order: each tenant with its depth and its parent. */
export interface FlatTenant extends Tenant {
  depth: number;
  parentName: string | null;
}

export function flattenTenants(
  nodes: TenantNode[],
  depth = 0,
  parent: TenantNode | null = null,
): FlatTenant[] {
  return nodes.flatMap(({ children, ...tenant }) => [
    { ...tenant, depth, parentName: parent?.name ?? null },
    ...flattenTenants(children, depth + 1, { ...tenant, children }),
  ]);
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return `Timed out after ${timeoutMs} ms`;
    const cause: unknown = error.cause;
    if (cause instanceof Error && cause.message) return `${error.message}: ${cause.message}`;
    return error.message || error.name;
  }
  return String(error);
}
