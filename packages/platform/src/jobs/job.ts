/**
 * One job model: every job is a definition — a dotted id, a zod payload schema, a handler —
 * in the folder that owns it, registered on the Platform and run by graphile-worker. A periodic
 * job carries a crontab schedule: graphile-worker's cron runs each tick once across every
 * replica (it records the tick it queued), with the queue's retries like any job.
 */
import type { z } from 'zod';

export interface JobDefinition<P = unknown> {
  /** Dotted, owner first: 'webhook.process', 'video.expire-rooms'. */
  id: string;
  payload: z.ZodType<P>;
  handler(payload: P): Promise<void>;
  /** For periodic jobs: five crontab fields; undefined or '' = not periodic (or turned off). */
  schedule?: string;
  /** Periodic jobs: also run once as the workers start (recovers what a dead process left). */
  runAtStart?: boolean;
  /** graphile-worker attempts (default: 25 for one-off jobs, 3 for periodic ones). */
  maxAttempts?: number;
  /** What it does, for the registry listing. */
  description: string;
}

/** A definition whose payload type is its own business (lists of several jobs). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each job checks its own payload
export type AnyJob = JobDefinition<any>;

/** Keeps the payload type of a definition (an identity function, for inference). */
export function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}
