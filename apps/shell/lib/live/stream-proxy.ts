/**
 * The browser's live stream, relayed: the Shell opens the orchestrator's `GET /api/v1/stream`
 * (Server-Sent Events) with the signed-in user's bearer token and active tenant, and streams the
 * body through unchanged. The token never reaches the browser. When the browser goes away (the
 * request's signal aborts, or the response body is cancelled), the upstream request is aborted.
 *
 * Framework-free (Fetch API only) so it can be tested without Next.
 */

export interface StreamProxyOptions {
  orchestratorUrl: string;
  accessToken: string;
  tenantId: string;
  /** The id of the last event the browser saw (header `Last-Event-ID`, or `?lastEventId=`). */
  lastEventId?: string | null;
  /** Aborts when the browser disconnects. */
  signal: AbortSignal;
  /** How long to wait for the orchestrator's response headers. */
  connectTimeoutMs?: number;
  fetch?: typeof fetch;
}

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // Reverse proxies (nginx) must not buffer the stream.
  'x-accel-buffering': 'no',
} as const;

/** An event id worth passing on: short, printable, no line breaks (it goes into a header). */
export function sanitizeLastEventId(value: string | null | undefined): string | undefined {
  if (!value || value.length > 200) return undefined;
  return /^[\x21-\x7e]+$/.test(value) ? value : undefined;
}

function problem(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ error: { code, message, details: {} } }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

export async function proxyEventStream(options: StreamProxyOptions): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  const upstream = new AbortController();
  const abort = () => upstream.abort();
  if (options.signal.aborted) abort();
  else options.signal.addEventListener('abort', abort, { once: true });
  const release = () => options.signal.removeEventListener('abort', abort);

  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    authorization: `Bearer ${options.accessToken}`,
    'x-tenant-id': options.tenantId,
  };
  const lastEventId = sanitizeLastEventId(options.lastEventId);
  if (lastEventId) headers['last-event-id'] = lastEventId;

  const timer = setTimeout(abort, options.connectTimeoutMs ?? 10_000);
  let response: Response;
  try {
    response = await doFetch(`${options.orchestratorUrl.replace(/\/+$/, '')}/api/v1/stream`, {
      headers,
      cache: 'no-store',
      signal: upstream.signal,
    });
  } catch {
    release();
    return problem(502, 'STREAM_UNAVAILABLE', 'The live stream could not be reached.');
  } finally {
    clearTimeout(timer);
  }

  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.startsWith('text/event-stream') || !response.body) {
    await response.body?.cancel().catch(() => {});
    release();
    if (response.status === 401) return problem(401, 'UNAUTHENTICATED', 'Sign in again.');
    if (response.status === 404)
      return problem(404, 'STREAM_NOT_FOUND', 'This server has no live stream (yet).');
    if (response.status === 429) return problem(429, 'RATE_LIMITED', 'Too many connections.');
    return problem(502, 'STREAM_UNAVAILABLE', `The live stream answered HTTP ${response.status}.`);
  }

  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch {
        release();
        // The upstream ended badly (its replica died) or we aborted it: end the browser's stream
        // cleanly; EventSource reconnects with Last-Event-ID, through the proxy, to another one.
        controller.close();
      }
    },
    cancel() {
      release();
      abort();
    },
  });
  return new Response(body, { status: 200, headers: STREAM_HEADERS });
}
