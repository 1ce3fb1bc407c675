/**
 * Access (owners and admins of an organisation): what Keycloak grants each person in each tool
 * and whether the tool holds exactly that, each tool's last run, the drift history, one person's
 * report, and "Sync now" (apps/orchestrator/src/routes/access.ts; the shapes in
 * @afenda/contracts).
 */
import { accessOverviewSchema, accessReportSchema } from '@afenda/contracts';
import { z } from 'zod';

import { getData, segment, send, type Call } from './client';

export type {
  AccessOverview,
  AccessPerson,
  AccessStatus,
  AccessSubject,
  AccessTool,
} from '@afenda/contracts';

export function createAccessApi(call: Call) {
  return {
    getAccess: () => getData(call, '/access', accessOverviewSchema),
    getAccessReport: (userId: string) =>
      getData(call, `/access/users/${segment(userId)}`, accessReportSchema),
    /** Queues a run of every connected tool (or one); answers how many runs were queued. */
    syncAccess: (tool?: string) =>
      send(call, 'POST', '/access/sync', z.object({ queued: z.number() }), tool ? { tool } : {}),
  };
}
