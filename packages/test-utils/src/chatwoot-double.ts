/**
 * A local stand-in for Chatwoot's Application API, at the network boundary only: it records
 * every call, answers in the contract's response shapes, keeps each conversation's labels (so
 * read-merge-write can be checked), and notes any request that strays from the contract's
 * request shapes (fixtures/chatwoot/api/*.request.json). It can be told to fail.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatwootFixture } from './chatwoot.ts';

export interface ChatwootCall {
  method: string;
  path: string;
  token: string | undefined;
  body: unknown;
}

export interface ChatwootDouble {
  url: string;
  token: string;
  calls: ChatwootCall[];
  /** Requests that don't match the contract (method, path, header or body shape). */
  violations: string[];
  labels: Map<string, string[]>;
  /** The next n calls answer this status. */
  failNext(n: number, status?: number): void;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
};

const keysOf = (v: unknown) => Object.keys((v ?? {}) as object).sort();

export async function startChatwootDouble(token = 'chatwoot-test-token'): Promise<ChatwootDouble> {
  const calls: ChatwootCall[] = [];
  const violations: string[] = [];
  const labels = new Map<string, string[]>();
  let failures = 0;
  let failStatus = 500;
  let nextMessageId = 7000;
  const noteShape = keysOf(chatwootFixture('api/private_note.request.json'));
  const noteResponse = chatwootFixture('api/private_note.response.json');
  const conversationList = chatwootFixture('api/conversations.list.response.json');
  const route = /^\/api\/v1\/accounts\/(\d+)\/conversations\/(\d+)\/(messages|labels)$/;

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req).catch(() => {
        violations.push(`${req.method} ${req.url}: body is not JSON`);
        return undefined;
      });
      const path = (req.url ?? '').split('?')[0] ?? '';
      const given = req.headers.api_access_token;
      const call = {
        method: req.method ?? '',
        path,
        token: Array.isArray(given) ? given[0] : given,
        body,
      };
      calls.push(call);
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (call.token !== token) {
        violations.push(`${call.method} ${path}: api_access_token missing or wrong`);
        return send(401, { error: 'Invalid Access Token' });
      }
      if (failures > 0) {
        failures -= 1;
        return send(failStatus, { error: 'test double told to fail' });
      }
      const list = /^\/api\/v1\/accounts\/(\d+)\/conversations$/.exec(path);
      if (list && call.method === 'GET') return send(200, conversationList);
      const m = route.exec(path);
      if (!m) {
        violations.push(`${call.method} ${path}: not an endpoint of the contract`);
        return send(404, { error: 'not found' });
      }
      const key = `${m[1]}/${m[2]}`;
      if (m[3] === 'messages' && call.method === 'POST') {
        const extra = keysOf(body).filter((k) => !noteShape.includes(k));
        const b = body as { content?: unknown; message_type?: unknown; private?: unknown };
        if (
          extra.length ||
          typeof b.content !== 'string' ||
          b.message_type !== 'outgoing' ||
          b.private !== true
        )
          violations.push(`POST ${path}: not a private note (${JSON.stringify(body)})`);
        nextMessageId += 1;
        return send(200, {
          ...noteResponse,
          id: nextMessageId,
          content: b.content,
          conversation_id: Number(m[2]),
        });
      }
      if (m[3] === 'labels' && call.method === 'GET')
        return send(200, { payload: labels.get(key) ?? [] });
      if (m[3] === 'labels' && call.method === 'POST') {
        const l = (body as { labels?: unknown }).labels;
        if (
          keysOf(body).join() !== 'labels' ||
          !Array.isArray(l) ||
          l.some((x) => typeof x !== 'string')
        )
          violations.push(`POST ${path}: not {labels: string[]} (${JSON.stringify(body)})`);
        labels.set(key, l as string[]);
        return send(200, { payload: l });
      }
      violations.push(`${call.method} ${path}: method not in the contract`);
      return send(405, { error: 'method not allowed' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    calls,
    violations,
    labels,
    failNext(n, status = 500) {
      failures = n;
      failStatus = status;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
