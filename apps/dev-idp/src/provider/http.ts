/**
 * Plain node:http for the endpoints served here rather than by oidc-provider: their errors are
 * thrown as HttpError and answered as OAuth error JSON by the router.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pageHeaders } from '../pages.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export type Form = Record<string, string>;

export type Endpoint = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** RFC 6749 section 2.3.1: client credentials in Basic are form-urlencoded first. */
export function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    throw new HttpError(400, 'invalid_request', 'Malformed client credentials');
  }
}

export async function readForm(req: IncomingMessage, limit = 56 * 1024): Promise<Form> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'invalid_request', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  if (type !== 'application/x-www-form-urlencoded') {
    throw new HttpError(
      400,
      'invalid_request',
      'Expected an application/x-www-form-urlencoded body',
    );
  }
  const form: Form = Object.create(null) as Form;
  for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
    if (Object.hasOwn(form, k))
      throw new HttpError(400, 'invalid_request', `Duplicated parameter: ${k}`);
    form[k] = v;
  }
  return form;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    ...headers,
  });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, pageHeaders());
  res.end(html);
}
