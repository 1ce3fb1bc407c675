/**
 * The baseline for live-stream: a bare node:http Server-Sent Events echo. GET /stream holds the
 * connection open (the same response headers the orchestrator sends); POST /publish writes its
 * body as one event, with an id, to every open stream and answers 204. No auth, no database,
 * no routing library. Reports its port to the parent over IPC.
 */
import { createServer, type ServerResponse } from 'node:http';

const streams = new Set<ServerResponse>();
let seq = 0;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stream') {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n: connected\n\n');
    streams.add(res);
    res.once('close', () => streams.delete(res));
    return;
  }
  if (req.method === 'POST' && req.url === '/publish') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seq += 1;
      const frame = `id: ${seq}\nevent: notification\ndata: ${body}\n\n`;
      for (const s of streams) s.write(frame);
      res.writeHead(204);
      res.end();
    });
    return;
  }
  res.writeHead(404);
  res.end();
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});

const stop = () => {
  for (const s of streams) s.destroy();
  server.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);
