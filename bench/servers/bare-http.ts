/**
 * The baseline for http-noop: bare node:http answering GET /api/v1 with the same envelope the
 * orchestrator sends, `{"data":{...},"meta":{"requestId":"<uuid>"}}`. The `data` part is the
 * orchestrator's own response (captured by the parent and passed in BENCH_BODY_DATA); the
 * request id is a fresh UUID per request, as Fastify's genReqId makes one. Nothing else: no
 * routing library, no hooks, no security headers. Reports its port to the parent over IPC.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const data: unknown = JSON.parse(process.env.BENCH_BODY_DATA ?? '{}');
const NOT_FOUND = JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no route' } });

const server = createServer((req, res) => {
  if (req.method === 'GET' && (req.url === '/api/v1' || req.url === '/api/v1/')) {
    const body = JSON.stringify({ data, meta: { requestId: randomUUID() } });
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
  res.end(NOT_FOUND);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});

const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The parent went away (crashed or was killed): do not linger.
process.once('disconnect', stop);
