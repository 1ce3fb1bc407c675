import { z } from 'zod';

/** Every error the API returns, everywhere: `{ "error": { code, message, details } }`. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable, machine-readable, SCREAMING_SNAKE_CASE'),
      message: z.string().describe('Human-readable; safe to show'),
      details: z
        .record(z.string(), z.unknown())
        .describe('Structured context, e.g. failing fields'),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const metaSchema = z
  .object({ requestId: z.string() })
  .catchall(z.unknown())
  .meta({ id: 'Meta' });

/** Success: `{ "data": ..., "meta": { requestId, ... } }`. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ data, meta: metaSchema });
}

export const ErrorCodes = {
  BAD_REQUEST: 'BAD_REQUEST',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes] | (string & {});
