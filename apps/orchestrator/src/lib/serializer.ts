/**
 * Response serialisation compiled once per route: the route's zod response schema becomes a
 * JSON Schema (zod's own `toJSONSchema`, as the OpenAPI document does) and fast-json-stringify,
 * Fastify's serializer, compiles it into a function that writes only the declared fields. In
 * production a response is then not validated again on every request; the tests keep the
 * validating serializer of fastify-type-provider-zod, so a response that drifts from its
 * contract still fails there. A schema JSON Schema cannot express (a transform, a Date) falls
 * back to the validating serializer for that route.
 */
import fastJson from 'fast-json-stringify';
import { serializerCompiler as validatingSerializer } from 'fastify-type-provider-zod';
import { z } from 'zod';

type RouteSchema = Parameters<typeof validatingSerializer>[0];

export function compiledSerializerCompiler(route: RouteSchema): (data: unknown) => string {
  const schema = route.schema as unknown;
  if (!(schema instanceof z.ZodType)) return validatingSerializer(route);
  let stringify: (data: unknown) => string;
  try {
    const json = z.toJSONSchema(schema, {
      target: 'draft-7',
      io: 'output',
      unrepresentable: 'throw',
    }) as Record<string, unknown>;
    delete json.$schema;
    stringify = fastJson(json as unknown as Parameters<typeof fastJson>[0]) as (
      data: unknown,
    ) => string;
  } catch {
    return validatingSerializer(route);
  }
  return stringify;
}
