/**
 * Raising notifications, for the kernel and every module: in the caller's transaction, each
 * published to its user's live stream.
 */
import type { Notification } from '@afenda/contracts';
import { schema, type Tx } from '@afenda/db';
import { randomUUID } from 'node:crypto';
import { publishStreamEvents } from '../stream/publish.ts';

const N = schema.notifications;
type Row = typeof N.$inferSelect;

export const toNotification = (r: Row): Notification => ({
  id: r.id,
  tenantId: r.tenantId,
  kind: r.kind,
  title: r.title,
  body: r.body,
  subjectType: r.subjectType,
  subjectId: r.subjectId,
  url: r.url,
  readAt: r.readAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
});

/** Who is asking: notifications are per user and per tenant. */
export interface Recipient {
  tenantId: string;
  userId: string;
}

export interface NotificationInput {
  userId: string;
  kind: string;
  title: string;
  body?: string;
  subjectType: string;
  subjectId: string;
  url: string;
}

/**
 * Raises notifications in the caller's transaction (they exist if and only if the event does),
 * each also published to its user's live stream. Recipients must be members of the tenant
 * (the membership is the foreign key).
 */
export async function raiseNotifications(
  tx: Tx,
  tenantId: string,
  inputs: NotificationInput[],
): Promise<Notification[]> {
  if (inputs.length === 0) return [];
  const createdAt = new Date();
  const rows: Row[] = inputs.map((n) => ({
    tenantId,
    userId: n.userId,
    id: randomUUID(),
    kind: n.kind,
    title: n.title,
    body: n.body ?? '',
    subjectType: n.subjectType,
    subjectId: n.subjectId,
    url: n.url,
    readAt: null,
    createdAt,
  }));
  // No RETURNING: the rows belong to other users, whom this transaction may not read.
  await tx.insert(N).values(rows);
  const notifications = rows.map(toNotification);
  await publishStreamEvents(
    tx,
    rows.map((r, i) => ({
      tenantId,
      userId: r.userId,
      name: 'notification',
      subject: notifications[i],
    })),
  );
  return notifications;
}
