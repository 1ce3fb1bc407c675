/**
 * The Shell's one way to call the orchestrator: adds the user's bearer token, checks each answer
 * against the shared contracts, and turns the error envelope (`{ error: { code, message,
 * details } }`) into an {@link OrchestratorApiError}. When the orchestrator can't be reached or
 * answers something that isn't the API, it throws an {@link OrchestratorUnavailableError}.
 *
 * Every part of the API (approvals.ts, rooms.ts, …) is a `createXApi(call)` over this one
 * {@link Call}; orchestrator.ts puts them together.
 *
 * Server-only: the access token must never reach the browser.
 */
import { errorBodySchema } from '@afenda/contracts';
import { z } from 'zod';

import { rateLimitedDigest } from './rate-limited';

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
    if (status === 429) this.digest = rateLimitedDigest(details.retryAfterSeconds);
  }

  /** Set on a 429 only: what the error pages read (lib/api/rate-limited.ts). */
  readonly digest?: string;
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

export interface CallOptions {
  baseUrl: string;
  /** The user's access token; without one, only the public endpoints answer. */
  accessToken?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Query parameters: undefined and empty values are left out. */
export type Query = Record<string, string | number | undefined>;

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** The tenant the call acts in (X-Tenant-Id). */
  tenantId?: string;
  /** Each mutation gets one, so a retried request can't act twice. */
  idempotent?: boolean | string;
  /** A path from the service's root (e.g. `/readyz`) rather than from `/api/v1`. */
  outsideApi?: boolean;
  /** Read the body whatever the status (e.g. a 503 readiness report), not as an error. */
  anyStatus?: boolean;
}

/** One call: JSON in (optional), the answer checked against `schema` out, with its status. */
export interface Call {
  <T>(
    method: Method,
    path: string,
    schema: z.ZodType<T>,
    opts?: RequestOptions,
  ): Promise<{ status: number; body: T }>;
  /** The service's base URL, without a trailing slash. */
  readonly baseUrl: string;
}

/** One page of a keyset-paginated list: pass `nextCursor` back as `cursor` for the next. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const meta = z.object({ requestId: z.string().optional() }).catchall(z.unknown());

/** The envelope of one thing (`{ data, meta? }`). */
export const one = <T extends z.ZodType>(data: T) => z.object({ data, meta: meta.optional() });

/** The envelope of a keyset page (`{ data: [...], meta: { nextCursor } }`), with extra meta. */
export const page = <T extends z.ZodType, M extends z.ZodRawShape = Record<never, never>>(
  item: T,
  extra?: M,
) =>
  z.object({
    data: z.array(item),
    meta: meta.extend({ nextCursor: z.string().nullable().optional() }).extend(extra ?? ({} as M)),
  });

export const anyBody = z.unknown();

/** An id in a path. */
export const segment = (value: string) => encodeURIComponent(value);

function withQuery(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** The one place a call is made: headers, timeout, the envelope, the contract check. */
export function createCall(options: CallOptions): Call {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5_000;
  const doFetch = options.fetch ?? fetch;

  async function call<T>(
    method: Method,
    path: string,
    schema: z.ZodType<T>,
    opts: RequestOptions = {},
  ): Promise<{ status: number; body: T }> {
    const url = `${baseUrl}${opts.outsideApi ? '' : '/api/v1'}${withQuery(path, opts.query)}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
    if (opts.tenantId) headers['x-tenant-id'] = opts.tenantId;
    if (opts.idempotent)
      headers['idempotency-key'] =
        typeof opts.idempotent === 'string' ? opts.idempotent : crypto.randomUUID();
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        cache: 'no-store',
        headers,
        ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new OrchestratorUnavailableError(describeFetchError(err, timeoutMs), url, {
        cause: err,
      });
    }
    // 204: nothing to read; the schema says whether that is what was expected.
    if (response.status === 204) return { status: 204, body: schema.parse(null) };
    let body: unknown;
    try {
      body = await response.json();
    } catch (err) {
      const reason =
        err instanceof Error && err.name === 'TimeoutError'
          ? `timed out after ${timeoutMs} ms`
          : 'body is not valid JSON';
      throw new OrchestratorUnavailableError(`HTTP ${response.status}, ${reason}`, url, {
        cause: err,
      });
    }
    if (!response.ok && !opts.anyStatus) {
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
    return { status: response.status, body: parsed.data };
  }
  return Object.assign(call, { baseUrl });
}

/** The same calls, each acting in one tenant (X-Tenant-Id). */
export function inTenant(call: Call, tenantId: string): Call {
  return Object.assign(
    <T>(method: Method, path: string, schema: z.ZodType<T>, opts: RequestOptions = {}) =>
      call(method, path, schema, { ...opts, tenantId }),
    { baseUrl: call.baseUrl },
  );
}

/** GET one enveloped thing and return its data. */
export async function getData<T>(call: Call, path: string, item: z.ZodType<T>, query?: Query) {
  return (await call('GET', path, one(item), { query })).body.data;
}

/** A mutation and its enveloped data; by default with its own idempotency key. */
export async function send<T>(
  call: Call,
  method: Exclude<Method, 'GET'>,
  path: string,
  item: z.ZodType<T>,
  body?: unknown,
  { idempotent = true }: { idempotent?: boolean | string } = {},
) {
  return (await call(method, path, one(item), { body, idempotent })).body.data;
}

/** GET one keyset page. */
export async function getPage<T>(
  call: Call,
  path: string,
  item: z.ZodType<T>,
  query?: Query,
): Promise<Page<T>> {
  const { body } = await call('GET', path, page(item), { query });
  return { data: body.data, nextCursor: body.meta.nextCursor ?? null };
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return `Timed out after ${timeoutMs} ms`;
    // Node's fetch (undici) reports "fetch failed" and puts the useful part in `cause`,
    // e.g. "connect ECONNREFUSED 127.0.0.1:8000" or "getaddrinfo ENOTFOUND orchestrator".
    const cause: unknown = error.cause;
    if (cause instanceof Error && cause.message) return `${error.message}: ${cause.message}`;
    if (typeof cause === 'object' && cause !== null && 'code' in cause)
      return `${error.message}: ${String(cause.code)}`;
    return error.message || error.name;
  }
  return String(error);
}
