/**
 * Access (issue 15): what Keycloak grants each person of an organisation in each tool, and
 * whether the tool holds exactly that. `GET /api/v1/access`, `GET /api/v1/access/users/:id`;
 * written by the access reconcile (packages/platform/src/access/engine.ts), shown by the Shell's
 * Access page.
 */
import { z } from 'zod';

export const accessStatusSchema = z.enum(['in_sync', 'repaired', 'pending', 'failing']);
export type AccessStatus = z.infer<typeof accessStatusSchema>;

/** One subject (a person's place in a tool): as the directory wants it and as the tool has it. */
export const accessSubjectSchema = z.object({
  tool: z.string(),
  subject: z.string(),
  desired: z.string().nullable(),
  actual: z.string().nullable(),
  status: accessStatusSchema,
  driftedAt: z.string().nullable(),
  driftWas: z.string().nullable(),
  error: z.string().nullable(),
  updatedAt: z.string(),
});
export type AccessSubject = z.infer<typeof accessSubjectSchema>;

export const accessToolSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** How a local edit is met: refused by the tool itself, or read back and set back each run. */
  guard: z.enum(['prevented', 'repaired']),
  configured: z.boolean(),
  lastRun: z
    .object({
      status: z.string(),
      trigger: z.string(),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      result: z.record(z.string(), z.unknown()),
      error: z.string().nullable(),
    })
    .nullable(),
});
export type AccessTool = z.infer<typeof accessToolSchema>;

export const accessPersonSchema = z.object({
  userId: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  enabled: z.boolean(),
  role: z.string(),
  /** Per tool: the worst status of the person's subjects there, and how many. */
  tools: z.record(
    z.string(),
    z.object({ status: accessStatusSchema, subjects: z.number(), error: z.string().nullable() }),
  ),
});
export type AccessPerson = z.infer<typeof accessPersonSchema>;

export const accessOverviewSchema = z.object({
  tools: z.array(accessToolSchema),
  people: z.array(accessPersonSchema),
  drift: z.array(accessSubjectSchema),
});
export type AccessOverview = z.infer<typeof accessOverviewSchema>;

/** One person's report (the offboarding report). */
export const accessReportSchema = z.object({
  userId: z.uuid(),
  subjects: z.array(accessSubjectSchema),
});
export type AccessReport = z.infer<typeof accessReportSchema>;
