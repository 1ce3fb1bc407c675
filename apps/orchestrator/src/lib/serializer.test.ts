import { serializerCompiler as validatingSerializer } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compiledSerializerCompiler } from './serializer.ts';

const route = (schema: z.ZodType) =>
  ({ schema, method: 'GET', url: '/test', httpStatus: '200' }) as Parameters<
    typeof compiledSerializerCompiler
  >[0];

const envelope = z.object({
  data: z.object({
    id: z.uuid(),
    title: z.string(),
    amount: z.number().nullable(),
    status: z.enum(['pending', 'approved']),
    labels: z.array(z.string()),
    at: z.iso.datetime(),
    note: z.string().optional(),
    details: z.record(z.string(), z.unknown()),
    actor: z.union([z.object({ kind: z.literal('user'), name: z.string() }), z.null()]),
  }),
  meta: z.object({ requestId: z.string() }),
});

const sample = {
  data: {
    id: '6d7d1f0e-3b1a-4c39-9a53-0c5c1f0b2a11',
    title: 'Quote "A" <b>&</b> \u2028 ünïcode',
    amount: null,
    status: 'approved',
    labels: ['a', 'b'],
    at: '2026-01-02T03:04:05.000Z',
    details: { nested: { deep: [1, 'two', null] } },
    actor: { kind: 'user', name: 'Ada' },
  },
  meta: { requestId: 'req-1' },
};

describe('compiled response serializer', () => {
  it('writes what the validating serializer writes', () => {
    const compiled = compiledSerializerCompiler(route(envelope));
    const validating = validatingSerializer(route(envelope));
    expect(JSON.parse(compiled(sample))).toEqual(JSON.parse(validating(sample)));
    const withNote = { ...sample, data: { ...sample.data, note: 'n', actor: null } };
    expect(JSON.parse(compiled(withNote))).toEqual(JSON.parse(validating(withNote)));
  });

  it('leaves out fields the schema does not declare (nothing leaks)', () => {
    const compiled = compiledSerializerCompiler(route(envelope));
    const leaky = { ...sample, data: { ...sample.data, secret: 'hunter2' }, extra: 1 };
    const out = compiled(leaky);
    expect(out).not.toContain('hunter2');
    expect(JSON.parse(out)).toEqual(sample);
  });

  it('falls back to validating a schema JSON Schema cannot express', () => {
    const transformed = z.object({ n: z.string().transform((s) => s.length) });
    const serialize = compiledSerializerCompiler(route(transformed));
    expect(serialize({ n: 'abc' })).toBe('{"n":3}');
    expect(() => serialize({ n: 5 })).toThrow();
  });
});
