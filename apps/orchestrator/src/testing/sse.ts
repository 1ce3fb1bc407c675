import http from 'node:http';

/** One event as a client parses it off the wire. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: unknown;
}

/** A real SSE client over node:http, for tests: collects events, waits for them. */
export interface SseClient {
  status: number;
  events: SseEvent[];
  lastEventId: string | undefined;
  /** Resolves with the first event (already received or to come) that matches. */
  next(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  closed: Promise<void>;
  close(): void;
}

export function connectSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const waiters: { match: (e: SseEvent) => boolean; done: (e: SseEvent) => void }[] = [];
      let buffer = '';
      let closedResolve!: () => void;
      const closed = new Promise<void>((r) => (closedResolve = r));
      const client: SseClient = {
        status: res.statusCode ?? 0,
        events,
        lastEventId: undefined,
        next(match, timeoutMs = 10_000) {
          const seen = events.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((done, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`no matching event in ${timeoutMs} ms (got ${events.length})`)),
              timeoutMs,
            );
            waiters.push({
              match,
              done: (e) => {
                clearTimeout(timer);
                done(e);
              },
            });
          });
        },
        closed,
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const at = line.indexOf(':');
            if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1).replace(/^ /, '');
          }
          if (fields.data === undefined) continue;
          const event: SseEvent = {
            id: fields.id,
            event: fields.event ?? 'message',
            data: JSON.parse(fields.data),
          };
          if (event.id !== undefined) client.lastEventId = event.id;
          events.push(event);
          for (const w of [...waiters])
            if (w.match(event)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.done(event);
            }
        }
      });
      res.on('close', () => closedResolve());
      res.on('error', () => closedResolve());
      resolve(client);
    });
    req.on('error', reject);
  });
}
