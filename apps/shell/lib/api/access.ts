/**
 * Access (owners and admins of an organisation): what Keycloak grants each person in each tool
 * and whether the tool holds exactly that, each tool's last run, the drift history, one person's
 * report, and "Sync now" (apps/orchestrator/src/routes/access.ts).
 */
import { z } from 'zod';

import { getData, segment, send, type Call } from './client';

export const accessStatusSchema = z.enum(['in_sync', 'repaired', 'pending', 'failing']);
export type AccessStatus = z.infer<typeof accessStatusSchema>;

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
  userId: z.string(),
  username: z.string(),
  displayName: z.string(),
  enabled: z.boolean(),
  role: z.string(),
  /** Per tool: the worst status of the person's subjects there, how many, the first error. */
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

const reportSchema = z.object({ userId: z.string(), subjects: z.array(accessSubjectSchema) });

export function createAccessApi(call: Call) {
  return {
    getAccess: () => getData(call, '/access', accessOverviewSchema),
    getAccessReport: (userId: string) =>
      getData(call, `/access/users/${segment(userId)}`, reportSchema),
    /** Queues a run of every connected tool (or one); answers how many runs were queued. */
    syncAccess: (tool?: string) =>
      send(call, 'POST', '/access/sync', z.object({ queued: z.number() }), tool ? { tool } : {}),
  };
}
