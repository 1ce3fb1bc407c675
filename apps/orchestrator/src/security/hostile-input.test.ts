/**
 * Every route of the OpenAPI document, sent what PostgreSQL cannot store (a NUL, an unpaired
 * surrogate) in each path parameter, query parameter and body field in turn, and integers past
 * every column's range: the answer is never a 5xx, and always the error envelope. Part of
 * `npm run test:security`.
 */
import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityFixture, type IdentityFixture } from '../testing/fixture.ts';

type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  minLength?: number;
  minItems?: number;
  default?: unknown;
};
type Parameter = { name: string; in: string; schema?: Schema; required?: boolean };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
type OpenApi = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

const NUL = 'a\u0000b';
const SURROGATE = 'a\ud800b';
const HUGE = [2 ** 31, 2 ** 53, 1e20];
// Routes that hold the connection open (SSE): a hostile query is refused first, nothing else sent.
const STREAMING = new Set(['/api/v1/stream']);

let fx: IdentityFixture;
let doc: OpenApi;
let headers: Record<string, string>;

beforeAll(async () => {
  fx = await startIdentityFixture({
    env: {
      RATE_LIMIT_READS: '1000000',
      RATE_LIMIT_WRITES: '1000000',
      RATE_LIMIT_WEBHOOKS: '1000000',
    },
  });
  const { rows } = await fx.tdb.admin.query<{ id: string }>(
    "select id from tenants where slug = 'acme'",
  );
  headers = {
    authorization: `Bearer ${await fx.token('alice')}`,
    'x-tenant-id': rows[0]!.id,
  };
  doc = (await fx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as OpenApi;
});

afterAll(async () => {
  await fx?.close();
});

function resolve(schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; s.$ref && i < 10; i++)
    s = doc.components?.schemas?.[s.$ref.split('/').pop()!] ?? {};
  if (s.allOf) return Object.assign({}, ...s.allOf.map(resolve)) as Schema;
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return resolve(alternatives.find((a) => resolve(a).type !== 'null'));
  return s;
}

const typeOf = (s: Schema): string | undefined =>
  Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;

/** A plausible value for a schema, so hostile fields travel as far into a handler as they can. */
function plausible(schema: Schema | undefined, depth = 0): unknown {
  const s = resolve(schema);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  switch (typeOf(s)) {
    case 'string':
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.format === 'email') return 'someone@example.com';
      if (s.format === 'uri') return 'https://example.com/';
      return 'x'.repeat(Math.max(3, s.minLength ?? 0));
    case 'integer':
    case 'number':
      return Math.max(1, s.minimum ?? 1);
    case 'boolean':
      return true;
    case 'array':
      return depth > 4
        ? []
        : Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => plausible(s.items, depth + 1));
    case 'object': {
      if (depth > 4) return {};
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = plausible(v, depth + 1);
      return out;
    }
    default:
      return 'x';
  }
}

/** Each string leaf, number leaf and key of a body, replaced in turn by what must be refused. */
function* hostileBodies(value: unknown, schema: Schema | undefined): Generator<unknown> {
  const s = resolve(schema);
  const type = typeOf(s);
  if (type === 'string' || typeof value === 'string') {
    yield NUL;
    yield SURROGATE;
  } else if (type === 'integer' || type === 'number') {
    yield* HUGE;
  } else if (Array.isArray(value)) {
    for (const inner of hostileBodies(value[0], s.items)) yield [inner, ...value.slice(1)];
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj))
      for (const inner of hostileBodies(obj[key], s.properties?.[key]))
        yield { ...obj, [key]: inner };
    yield { ...obj, [NUL]: 'x' };
  }
}

/** A URL component; an unpaired surrogate has no UTF-8, so it goes as the bytes WTF-8 gives it. */
const encode = (s: string): string => (s === SURROGATE ? 'a%ED%A0%80b' : encodeURIComponent(s));

interface Case {
  what: string;
  request: InjectOptions;
}

function* cases(): Generator<Case> {
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const pathParams = params.filter((p) => p.in === 'path');
      const query = params.filter((p) => p.in === 'query');
      const base: Record<string, string> = {};
      for (const p of pathParams) base[p.name] = String(plausible(p.schema));
      const url = (values: Record<string, string>, qs = '') =>
        template.replace(/\{(\w+)\}/g, (_, n: string) => encode(values[n]!)) + qs;
      const schema = op.requestBody?.content?.['application/json']?.schema;
      const body = schema ? plausible(schema) : undefined;
      const M = method.toUpperCase() as InjectOptions['method'];
      const send = (u: string, payload = body): InjectOptions => ({
        method: M,
        url: u,
        headers,
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      for (const p of pathParams)
        for (const bad of [NUL, SURROGATE, ...HUGE.map(String)])
          yield {
            what: `${method} ${template} path ${p.name}=${JSON.stringify(bad)}`,
            request: send(url({ ...base, [p.name]: bad })),
          };
      for (const p of query)
        for (const bad of [NUL, SURROGATE, ...HUGE.map(String)]) {
          if (STREAMING.has(template) && !bad.includes('b')) continue;
          yield {
            what: `${method} ${template} query ${p.name}=${JSON.stringify(bad)}`,
            request: send(url(base, `?${p.name}=${encode(bad)}`)),
          };
        }
      if (schema)
        for (const bad of hostileBodies(body, schema))
          yield {
            what: `${method} ${template} body ${JSON.stringify(bad).slice(0, 200)}`,
            request: send(url(base), bad),
          };
    }
  }
}

describe('hostile input on every route of the OpenAPI document', () => {
  it('covers the API: every documented path is walked', () => {
    expect(Object.keys(doc.paths).length).toBeGreaterThan(40);
  });

  it('never answers a 5xx, and refuses text PostgreSQL cannot store with 400 naming the field', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const { what, request } of cases()) {
      const res = await fx.app.inject(request);
      sent++;
      const body = res.json() as { error?: { code: string; details: { fields?: unknown } } };
      if (res.statusCode >= 500) failures.push(`${res.statusCode} ${what}: ${res.body}`);
      else if (res.statusCode >= 400 && !body.error?.code)
        failures.push(`${res.statusCode} without the envelope ${what}: ${res.body}`);
      else if (/\\u0000| body .*\\ud800/.test(what) && res.statusCode < 400)
        failures.push(`${res.statusCode} accepted ${what}`);
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(200);
  });

  it('names the field that holds a NUL, in the body, the query and the path', async () => {
    const body = await fx.app.inject({
      method: 'POST',
      url: '/api/v1/whiteboards',
      headers,
      payload: { title: 'fine', link: { subjectType: 'approval', subjectId: 'x\u0000' } },
    });
    expect(body.statusCode).toBe(400);
    expect(body.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: {
        fields: [{ field: 'body.link.subjectId', message: expect.stringMatching(/NUL/) }],
      },
    });
    const query = await fx.app.inject({
      method: 'GET',
      url: '/api/v1/activity?type=a%00b',
      headers,
    });
    expect(query.statusCode).toBe(400);
    expect(query.json().error.details.fields[0].field).toBe('querystring.type');
    const path = await fx.app.inject({
      method: 'GET',
      url: '/api/v1/conversations/by-ref/chatwoot/1/2147483648',
      headers,
    });
    expect(path.statusCode).toBe(400);
    expect(path.json().error.details.fields[0].field).toMatch(/^params\.displayId/);
  });
});
