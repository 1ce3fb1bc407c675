/**
 * The orchestrator's public health (`/readyz`) and service info (`/api/v1`), for the start page.
 * Unlike the rest of the API these never throw: an unreachable, unready or strange orchestrator
 * is an answer the page shows.
 */
import { z } from 'zod';

import { OrchestratorUnavailableError, type Call } from './client';

export const DEFAULT_ORCHESTRATOR_URL = 'http://localhost:8000';
export const DEFAULT_TIMEOUT_MS = 3_000;

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
  | { ok: true; url: string; name: string; version: string; modules: OrchestratorModule[] }
  | { ok: false; url: string; error: string };

/** Base URL of the orchestrator (from `ORCHESTRATOR_URL`), without a trailing slash. */
export function getOrchestratorUrl(env: Record<string, string | undefined> = process.env): string {
  const raw = env.ORCHESTRATOR_URL?.trim() || DEFAULT_ORCHESTRATOR_URL;
  return raw.replace(/\/+$/, '');
}

const check = z
  .object({ status: z.string().catch('unknown'), error: z.string().optional().catch(undefined) })
  .catchall(z.unknown());
const readiness = z.object({
  status: z.string(),
  checks: z
    .record(z.string(), z.unknown())
    .catch({})
    .transform((all) =>
      Object.fromEntries(
        Object.entries(all).flatMap(([name, value]) => {
          const parsed = check.safeParse(value);
          return parsed.success ? [[name, parsed.data as ReadinessCheck]] : [];
        }),
      ),
    ),
});
const serviceInfo = z.object({
  data: z.object({
    name: z.string().catch('unknown'),
    version: z.string().catch('unknown'),
    modules: z.array(z.unknown()).transform((all) =>
      all.flatMap((entry): OrchestratorModule[] => {
        const m = z
          .object({ id: z.string(), name: z.string().optional(), tool: z.string().optional() })
          .safeParse(entry);
        return m.success
          ? [{ id: m.data.id, name: m.data.name ?? m.data.id, tool: m.data.tool ?? '' }]
          : [];
      }),
    ),
  }),
});

/** Why a call failed, as the page says it. */
function reason(err: unknown): string {
  if (err instanceof OrchestratorUnavailableError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export function createHealthApi(call: Call) {
  return {
    /** `GET /readyz`, classified as ready / not ready / unreachable. */
    async readiness(): Promise<ReadinessResult> {
      const url = `${call.baseUrl}/readyz`;
      let answer: { status: number; body: z.infer<typeof readiness> };
      try {
        answer = await call('GET', '/readyz', readiness, { outsideApi: true, anyStatus: true });
      } catch (err) {
        return { state: 'unreachable', url, error: reason(err) };
      }
      const { status, body } = answer;
      const checks = body.checks;
      if (body.status === 'ready' && status >= 200 && status < 300)
        return { state: 'ready', url, checks };
      if (body.status === 'not_ready') {
        const failing = Object.entries(checks)
          .filter(([, c]) => c.status !== 'ok')
          .map(([name, c]): FailingCheck => {
            const error = c.error ?? (c.status === 'fail' ? undefined : `status "${c.status}"`);
            return error === undefined ? { name } : { name, error };
          });
        return { state: 'not_ready', url, checks, failing };
      }
      return {
        state: 'unreachable',
        url,
        error: `Unexpected readiness status "${body.status}" (HTTP ${status})`,
      };
    },
    /** `GET /api/v1`: the service name, version and module list. */
    async serviceInfo(): Promise<ServiceInfoResult> {
      const url = `${call.baseUrl}/api/v1`;
      try {
        const { body } = await call('GET', '', serviceInfo);
        return { ok: true, url, ...body.data };
      } catch (err) {
        return { ok: false, url, error: reason(err) };
      }
    },
  };
}
