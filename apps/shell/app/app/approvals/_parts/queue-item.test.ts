import { describe, expect, it } from 'vitest';
import type { Approval } from '@afenda/contracts';

import { money, queueItem, sortQueue, sourceLabel, undoWindowMs } from './queue-item';

const approval = (over: Partial<Approval>): Approval => ({
  id: '00000000-0000-4000-8000-000000000001',
  tenantId: '00000000-0000-4000-8000-000000000002',
  type: 'ceo_approval',
  status: 'submitted',
  title: 'Escalation: Jane Doe (conversation #7)',
  description: 'Where is my parcel?',
  source: 'chatwoot',
  sourceRef: '7',
  metadata: {},
  requestedBy: '00000000-0000-4000-8000-000000000003',
  decidedBy: null,
  decision: null,
  decisionComment: null,
  createdAt: '2026-01-01T10:00:00.000Z',
  submittedAt: '2026-01-01T10:00:01.000Z',
  decidedAt: null,
  requestedByName: 'Alice Nguyen',
  ...over,
});

describe('queueItem', () => {
  it("an escalation: the agent's note from its metadata and the customer's last incoming message", () => {
    const item = queueItem(
      approval({
        metadata: {
          note: 'A VIP customer',
          lastMessages: [
            { direction: 'incoming', content: 'first' },
            { direction: 'incoming', content: '<b>second</b>' },
            { direction: 'outgoing', content: 'our answer' },
          ],
        },
      }),
      'CEO approval',
    );
    expect(item).toMatchObject({
      requester: 'Alice Nguyen',
      note: 'A VIP customer',
      customerSays: '<b>second</b>',
      since: '2026-01-01T10:00:01.000Z',
      kind: 'CEO approval · from the inbox',
    });
  });

  it('an escalation without a note shows none (its description is the customer text)', () => {
    expect(queueItem(approval({}), 'CEO approval')).toMatchObject({
      note: null,
      customerSays: null,
    });
  });

  it("a request from the Shell: its description is the requester's note; no source named", () => {
    const item = queueItem(
      approval({ source: 'shell', description: 'Please', requestedByName: null, metadata: {} }),
      'Generic',
    );
    expect(item).toMatchObject({ requester: 'Someone', note: 'Please', kind: 'Generic' });
    expect(sourceLabel('matrix')).toBe('from matrix');
  });
});

describe('undoWindowMs', () => {
  it('APPROVAL_UNDO_S in seconds, 5 by default, at most a minute, never negative', () => {
    expect(undoWindowMs({})).toBe(5000);
    expect(undoWindowMs({ APPROVAL_UNDO_S: '0' })).toBe(0);
    expect(undoWindowMs({ APPROVAL_UNDO_S: '600' })).toBe(60_000);
    expect(undoWindowMs({ APPROVAL_UNDO_S: '-1' })).toBe(5000);
    expect(undoWindowMs({ APPROVAL_UNDO_S: 'soon' })).toBe(5000);
  });
});

describe('escalation details and the queue order', () => {
  const escalated = (id: string, escalation: Record<string, unknown>, submittedAt: string) =>
    queueItem(approval({ id, submittedAt, metadata: { escalation } }), 'CEO approval');

  it('reads the category, the amount in its currency, the urgency and the due date; ignores the malformed', () => {
    expect(
      escalated(
        'a',
        {
          category: 'refund',
          amount: '120.5',
          currency: 'EUR',
          urgency: 'high',
          dueAt: '2026-01-02T09:00:00.000Z',
        },
        '2026-01-01T10:00:00.000Z',
      ),
    ).toMatchObject({
      category: 'refund',
      amount: '€120.50',
      urgency: 'high',
      dueAt: '2026-01-02T09:00:00.000Z',
    });
    expect(
      escalated('b', { category: 'bribe', amount: '5', urgency: 'asap', dueAt: 'soon' }, 'x'),
    ).toMatchObject({ category: null, amount: null, urgency: null, dueAt: null });
    expect(money('10', 'XYZ')).toMatch(/^XYZ\s10\.00$/); // an unknown code: its own letters
    expect(money('10', 'ZZ')).toBe('10 ZZ');
  });

  it('sorts oldest first, or most urgent first (then the earliest due, then the oldest)', () => {
    const items = [
      escalated('normal-old', {}, '2026-01-01T08:00:00.000Z'),
      escalated('urgent-new', { urgency: 'urgent' }, '2026-01-01T12:00:00.000Z'),
      escalated(
        'high-due-late',
        { urgency: 'high', dueAt: '2026-01-05T00:00:00.000Z' },
        '2026-01-01T09:00:00.000Z',
      ),
      escalated(
        'high-due-soon',
        { urgency: 'high', dueAt: '2026-01-02T00:00:00.000Z' },
        '2026-01-01T11:00:00.000Z',
      ),
      escalated('low-oldest', { urgency: 'low' }, '2026-01-01T07:00:00.000Z'),
    ];
    expect(sortQueue(items, 'urgency').map((i) => i.id)).toEqual([
      'urgent-new',
      'high-due-soon',
      'high-due-late',
      'normal-old',
      'low-oldest',
    ]);
    expect(sortQueue(items, 'oldest').map((i) => i.id)).toEqual([
      'low-oldest',
      'normal-old',
      'high-due-late',
      'high-due-soon',
      'urgent-new',
    ]);
  });
});
