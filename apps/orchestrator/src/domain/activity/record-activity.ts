import { schema, type Tx } from '@afenda/db';

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

/** Writes a timeline entry in the caller's transaction: the entry exists if and only if the action does. */
export async function recordActivity(tx: Tx, input: ActivityInput): Promise<void> {
  await tx.insert(schema.activityTimeline).values({
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
  });
}
