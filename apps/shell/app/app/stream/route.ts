import type { NextRequest } from 'next/server';

import { getAuthConfig } from '@/lib/auth/config';
import { getSession } from '@/lib/auth/session';
import { proxyEventStream } from '@/lib/live/stream-proxy';
import { orchestratorApi } from '@/lib/workspace';

export const dynamic = 'force-dynamic';

function problem(status: number, code: string, message: string): Response {
  return Response.json(
    { error: { code, message, details: {} } },
    { status, headers: { 'cache-control': 'no-store' } },
  );
}

/**
 * GET /app/stream: the orchestrator's live events (SSE) for the signed-in user in their active
 * tenant, relayed with the server-side token. The browser's EventSource connects here.
 */
export async function GET(request: NextRequest): Promise<Response> {
  const session = await getSession().catch(() => null);
  if (!session) return problem(401, 'UNAUTHENTICATED', 'Sign in first.');
  let tenantId: string | null;
  try {
    tenantId = (await orchestratorApi(session.accessToken).listTenants()).activeTenantId;
  } catch {
    return problem(502, 'STREAM_UNAVAILABLE', 'The workspace service could not be reached.');
  }
  if (!tenantId) return problem(409, 'TENANT_REQUIRED', 'Choose a tenant first.');
  return proxyEventStream({
    orchestratorUrl: getAuthConfig().orchestratorUrl,
    accessToken: session.accessToken,
    tenantId,
    lastEventId:
      request.headers.get('last-event-id') ?? request.nextUrl.searchParams.get('lastEventId'),
    signal: request.signal,
  });
}
