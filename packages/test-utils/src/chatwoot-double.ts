/**
 * A local stand-in for Chatwoot's Application API, at the network boundary only: it records
 * every call, answers in the contract's response shapes, keeps each conversation's labels (so
 * read-merge-write can be checked), and notes any request that strays from the contract's
 * request shapes (fixtures/chatwoot/api/*.request.json). It can be told to fail.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatwootFixture, signChatwootDelivery } from './chatwoot.ts';

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
  /** Account webhooks registered through the API (url, subscriptions, the secret it made). */
  webhooks: { id: number; url: string; subscriptions: string[]; secret: string }[];
  /** Dashboard Apps registered through the API. */
  dashboardApps: { id: number; title: string; content: { type: string; url: string }[] }[];
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
  const webhookShape = keysOf(
    chatwootFixture<{ webhook: object }>('api/webhook.create.request.json').webhook,
  );
  const webhookResponse = chatwootFixture<{ payload: { webhook: Record<string, unknown> } }>(
    'api/webhook.create.response.json',
  );
  const appShape = keysOf(
    chatwootFixture<{ dashboard_app: object }>('dashboard-app/dashboard_app.create.request.json')
      .dashboard_app,
  );
  const noteEvent = chatwootFixture<Record<string, unknown> & { conversation: object }>(
    'webhooks/message_created.private_note.json',
  );
  const webhooks: ChatwootDouble['webhooks'] = [];
  const dashboardApps: ChatwootDouble['dashboardApps'] = [];
  let nextId = 40;
  /**
   * As Chatwoot does after a message is created (asynchronously, CONTRACT.md §2): the signed
   * message_created to every account webhook subscribed to it.
   */
  const deliverNote = (accountId: number, displayId: number, id: number, content: string) => {
    for (const hook of webhooks.filter((w) => w.subscriptions.includes('message_created'))) {
      const signed = signChatwootDelivery({
        secret: hook.secret,
        payload: {
          ...noteEvent,
          id,
          content,
          account: { ...(noteEvent.account as object), id: accountId },
          conversation: { ...noteEvent.conversation, id: displayId },
        },
      });
      void fetch(hook.url, { method: 'POST', headers: signed.headers, body: signed.body })
        .then((r) => r.body?.cancel())
        .catch(() => undefined);
    }
  };
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
      const hooks = /^\/api\/v1\/accounts\/(\d+)\/webhooks(?:\/(\d+))?$/.exec(path);
      if (hooks && call.method === 'GET' && !hooks[2])
        return send(200, {
          payload: {
            webhooks: webhooks.map(({ secret: _s, ...w }) => ({
              ...w,
              account_id: Number(hooks[1]),
            })),
          },
        });
      if (hooks && call.method === 'POST' && !hooks[2]) {
        const w = (body as { webhook?: Record<string, unknown> } | undefined)?.webhook;
        if (
          !w ||
          keysOf(w).some((k) => !webhookShape.includes(k)) ||
          typeof w.url !== 'string' ||
          !Array.isArray(w.subscriptions)
        )
          violations.push(
            `POST ${path}: not {webhook: {url, subscriptions, name?}} (${JSON.stringify(body)})`,
          );
        const hook = {
          id: (nextId += 1),
          url: String(w?.url),
          subscriptions: (w?.subscriptions as string[]) ?? [],
          secret: `double-secret-${nextId}-${Math.random().toString(36).slice(2)}`,
        };
        webhooks.push(hook);
        return send(200, {
          payload: {
            webhook: {
              ...webhookResponse.payload.webhook,
              ...hook,
              name: w?.name ?? null,
              account_id: Number(hooks[1]),
            },
          },
        });
      }
      if (hooks && call.method === 'DELETE' && hooks[2]) {
        const at = webhooks.findIndex((w) => w.id === Number(hooks[2]));
        if (at < 0) return send(404, { error: 'not found' });
        webhooks.splice(at, 1);
        res.writeHead(200).end();
        return;
      }
      const apps = /^\/api\/v1\/accounts\/(\d+)\/dashboard_apps$/.exec(path);
      if (apps && call.method === 'GET') return send(200, dashboardApps);
      if (apps && call.method === 'POST') {
        const a = (body as { dashboard_app?: Record<string, unknown> } | undefined)?.dashboard_app;
        const content = a?.content as { type?: unknown; url?: unknown }[] | undefined;
        if (
          !a ||
          keysOf(a).join() !== appShape.join() ||
          !Array.isArray(content) ||
          content.length === 0 ||
          content.some((c) => c.type !== 'frame' || !/^https?:\/\//.test(String(c.url)))
        )
          violations.push(
            `POST ${path}: not a dashboard_app with frames (${JSON.stringify(body)})`,
          );
        const app = {
          id: (nextId += 1),
          title: String(a?.title),
          content: (content ?? []) as { type: string; url: string }[],
        };
        dashboardApps.push(app);
        return send(200, { ...app, created_at: new Date().toISOString(), show_on_sidebar: false });
      }
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
        send(200, {
          ...noteResponse,
          id: nextMessageId,
          content: b.content,
          conversation_id: Number(m[2]),
        });
        deliverNote(Number(m[1]), Number(m[2]), nextMessageId, String(b.content));
        return;
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
    webhooks,
    dashboardApps,
    failNext(n, status = 500) {
      failures = n;
      failStatus = status;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
