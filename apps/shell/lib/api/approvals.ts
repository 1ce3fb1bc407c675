/** Approvals in one tenant: the types, the requests, their ledger, and the decisions. */
import { approvalEventSchema, approvalSchema, type Approval } from '@afenda/contracts';
import { z } from 'zod';

import { getData, getPage, segment, send, type Call, type Query } from './client';

const approvalTypeSchema = z.object({ id: z.string(), title: z.string(), mayDecide: z.boolean() });

export function createApprovalsApi(call: Call) {
  const approval = (id: string) => `/approvals/${segment(id)}`;
  return {
    listApprovalTypes: () => getData(call, '/approvals/types', z.array(approvalTypeSchema)),
    listApprovals: (query?: Query) => getPage(call, '/approvals', approvalSchema, query),
    getApproval: (id: string) => getData(call, approval(id), approvalSchema),
    listApprovalEvents: (id: string) =>
      getData(call, `${approval(id)}/events`, z.array(approvalEventSchema)),
    createApproval: (body: {
      type: string;
      title: string;
      description?: string;
      submit?: boolean;
    }): Promise<Approval> => send(call, 'POST', '/approvals/requests', approvalSchema, body),
    /** `key`: the decision's idempotency key, the same on a retry (recorded once). */
    approve: (id: string, comment?: string, key?: string) =>
      send(
        call,
        'POST',
        `${approval(id)}/approve`,
        approvalSchema,
        { comment },
        {
          idempotent: key ?? true,
        },
      ),
    reject: (id: string, reason: string, key?: string) =>
      send(
        call,
        'POST',
        `${approval(id)}/reject`,
        approvalSchema,
        { reason },
        {
          idempotent: key ?? true,
        },
      ),
  };
}
