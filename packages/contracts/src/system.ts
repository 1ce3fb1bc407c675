import { z } from 'zod';
import { moduleSummarySchema } from './modules.ts';

export const serviceInfoSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    mode: z.enum(['embedded', 'production', 'development', 'test']),
    modules: z.array(moduleSummarySchema),
    docs: z.object({ openapi: z.string(), reference: z.string() }),
  })
  .meta({ id: 'ServiceInfo' });

const checkSchema = z.object({
  status: z.enum(['ok', 'fail']),
  latencyMs: z.number().optional(),
  applied: z.number().optional(),
  pending: z.number().optional(),
  error: z.string().optional(),
});

export const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ database: checkSchema, migrations: checkSchema }),
  })
  .meta({ id: 'Readiness' });
export type Readiness = z.infer<typeof readinessSchema>;
