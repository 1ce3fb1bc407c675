/**
 * Server-side client for the orchestrator's public endpoints used by the Shell.
 *
 * Every function here resolves to a discriminated union and never throws: network failures,
 * timeouts, unexpected status codes and malformed bodies are all reported as values so that
 * Server Components can render them directly.
 */

export const DEFAULT_ORCHESTRATOR_URL = 'http://localhost:8000';
export const DEFAULT_TIMEOUT_MS = 3_000;

export interface FetchOptions {
  /** Abort the request after this many milliseconds (default 3000). */
  timeoutMs?: number;
}

/** One entry of `checks` in the /readyz body, e.g. `{ "status": "ok", "latencyMs": 1.2 }`. */
export interface ReadinessCheck {
  status: string;
  error?: string;
  [detail: string]: unknown;
}

export interface FailingCheck {
  name: string;
  error?: string;
}

export type ReadinessResult =
  | { state: 'ready'; url: string; checks: Record<string, ReadinessCheck> }
  | {
      state: 'not_ready';
      url: string;
      checks: Record<string, ReadinessCheck>;
      failing: FailingCheck[];
    }
  | { state: 'unreachable'; url: string; error: string };

export interface OrchestratorModule {
  id: string;
  name: string;
  tool: string;
}

export type ServiceInfoResult =
  | {
      ok: true;
      url: string;
      name: string;
      version: string;
      modules: OrchestratorModule[];
    }
  | { ok: false; url: string; error: string };

/** Base URL of the orchestrator (from `ORCHESTRATOR_URL`), without a trailing slash. */
export function getOrchestratorUrl(env: Record<string, string | undefined> = process.env): string {
  const raw = env.ORCHESTRATOR_URL?.trim() || DEFAULT_ORCHESTRATOR_URL;
  return raw.replace(/\/+$/, '');
}

/** Query `GET {baseUrl}/readyz` and classify the answer as ready / not ready / unreachable. */
export async function fetchReadiness(
  baseUrl: string,
  options: FetchOptions = {},
): Promise<ReadinessResult> {
  const url = `${baseUrl}/readyz`;
  const response = await requestJson(url, options);
  if (!response.ok) return { state: 'unreachable', url, error: response.error };

  const { status, body } = response;
  if (!isRecord(body) || typeof body.status !== 'string') {
    return { state: 'unreachable', url, error: `Unexpected response (HTTP ${status})` };
  }
  const checks = parseChecks(body.checks);

  if (body.status === 'ready' && status >= 200 && status < 300) {
    return { state: 'ready', url, checks };
  }
  if (body.status === 'not_ready') {
    const failing = Object.entries(checks)
      .filter(([, check]) => check.status !== 'ok')
      .map(([name, check]): FailingCheck => {
        const error =
          check.error ?? (check.status === 'fail' ? undefined : `status "${check.status}"`);
        return error === undefined ? { name } : { name, error };
      });
    return { state: 'not_ready', url, checks, failing };
  }
  return {
    state: 'unreachable',
    url,
    error: `Unexpected readiness status "${body.status}" (HTTP ${status})`,
  };
}

/** Query `GET {baseUrl}/api/v1` for the service name, version and module list. */
export async function fetchServiceInfo(
  baseUrl: string,
  options: FetchOptions = {},
): Promise<ServiceInfoResult> {
  const url = `${baseUrl}/api/v1`;
  const response = await requestJson(url, options);
  if (!response.ok) return { ok: false, url, error: response.error };

  const { status, body } = response;
  if (status < 200 || status >= 300) return { ok: false, url, error: `HTTP ${status}` };
  const data = isRecord(body) ? body.data : undefined;
  if (!isRecord(data) || !Array.isArray(data.modules)) {
    return { ok: false, url, error: 'Unexpected response body' };
  }

  const modules = data.modules.flatMap((entry): OrchestratorModule[] =>
    isRecord(entry) && typeof entry.id === 'string'
      ? [
          {
            id: entry.id,
            name: typeof entry.name === 'string' ? entry.name : entry.id,
            tool: typeof entry.tool === 'string' ? entry.tool : '',
          },
        ]
      : [],
  );
  return {
    ok: true,
    url,
    name: typeof data.name === 'string' ? data.name : 'unknown',
    version: typeof data.version === 'string' ? data.version : 'unknown',
    modules,
  };
}

type JsonResponse = { ok: true; status: number; body: unknown } | { ok: false; error: string };

async function requestJson(
  url: string,
  { timeoutMs = DEFAULT_TIMEOUT_MS }: FetchOptions,
): Promise<JsonResponse> {
  let response: Response;
  try {
    response = await fetch(url, {
      cache: 'no-store',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { ok: false, error: describeFetchError(error, timeoutMs) };
  }

  try {
    const body: unknown = await response.json();
    return { ok: true, status: response.status, body };
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `timed out after ${timeoutMs} ms`
        : 'body is not valid JSON';
    return {
      ok: false,
      error: `HTTP ${response.status}, ${reason}`,
    };
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return `Timed out after ${timeoutMs} ms`;
    // Node's fetch (undici) reports "fetch failed" and puts the useful part in `cause`,
    // e.g. "connect ECONNREFUSED 127.0.0.1:8000" or "getaddrinfo ENOTFOUND orchestrator".
    const cause: unknown = error.cause;
    if (cause instanceof Error && cause.message) return `${error.message}: ${cause.message}`;
    if (isRecord(cause) && typeof cause.code === 'string') return `${error.message}: ${cause.code}`;
    return error.message || error.name;
  }
  return String(error);
}

function parseChecks(value: unknown): Record<string, ReadinessCheck> {
  if (!isRecord(value)) return {};
  const checks: Record<string, ReadinessCheck> = {};
  for (const [name, check] of Object.entries(value)) {
    if (!isRecord(check)) continue;
    const { status, error, ...details } = check;
    checks[name] = {
      ...details,
      status: typeof status === 'string' ? status : 'unknown',
      ...(typeof error === 'string' ? { error } : {}),
    };
  }
  return checks;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
