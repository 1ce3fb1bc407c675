import { schema, type Tx } from '@afenda/db';
import { publishStreamEvent } from '../stream/publish.ts';
import { toEntry } from './activity.ts';

export interface ActivityInput {
  tenantId: string;
  actorId: string | null;
  source: string;
  subjectType: string;
  subjectId: string;
  verb: string;
  title: string;
  description?: string;
  data?: Record<string, unknown>;
}

/**
 * Writes a timeline entry in the caller's transaction: the entry exists if and only if the
 * action does. It goes to the tenant's live stream as an `activity` event, in the same transaction.
 */
export async function recordActivity(tx: Tx, input: ActivityInput): Promise<void> {
  const [row] = await tx
    .insert(schema.activityTimeline)
    .values({
      tenantId: input.tenantId,
      actorId: input.actorId,
      source: input.source,
      verb: input.verb,
      type: `${input.subjectType}.${input.verb}`,
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      title: input.title,
      description: input.description ?? '',
      data: input.data ?? {},
    })
    .returning();
  await publishStreamEvent(tx, {
    tenantId: input.tenantId,
    userId: null,
    name: 'activity',
    subject: toEntry(row!),
  });
}
