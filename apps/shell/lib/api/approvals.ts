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
    approve: (id: string, comment?: string) =>
      send(call, 'POST', `${approval(id)}/approve`, approvalSchema, { comment }),
    reject: (id: string, reason: string) =>
      send(call, 'POST', `${approval(id)}/reject`, approvalSchema, { reason }),
  };
}
