import { buildDirectory } from '@afenda/contracts';
import { schema, type Database } from '@afenda/db';
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import { defineJob } from '@afenda/platform/jobs/job';
import { z } from 'zod';
import type { DirectorySource } from './directory-source.ts';
import { reconcileDirectory, type ReconcileResult } from './reconcile-directory.ts';

export type SyncTrigger = 'startup' | 'schedule' | 'login' | 'webhook' | 'manual';

export interface SyncRun {
  id: string;
  status: 'succeeded' | 'failed';
  result?: ReconcileResult;
  error?: string;
}

/**
 * Keycloak → orchestrator, downward only. Every run is recorded in sync_runs with what it
 * changed; a failed run changes nothing (one transaction) and says why.
 */
export type DirectoryListener = (change: {
  trigger: SyncTrigger;
  subject: string | null;
}) => Promise<void>;

export class DirectorySync {
  private running: Promise<SyncRun> | undefined;
  private again = false;
  private readonly listeners: DirectoryListener[] = [];

  constructor(
    private readonly deps: { database: Database; source: DirectorySource; logger: Logger },
  ) {}

  /** Called after each run that changed something (and each single-user run). */
  onChanged(listener: DirectoryListener): void {
    this.listeners.push(listener);
  }

  private async record(
    trigger: SyncTrigger,
    subject: string | null,
    work: () => Promise<ReconcileResult>,
  ): Promise<SyncRun> {
    const { database, source, logger } = this.deps;
    const [run] = await database.transaction({ sync: true }, (tx) =>
      tx
        .insert(schema.syncRuns)
        .values({ trigger, source: source.name, subject })
        .returning({ id: schema.syncRuns.id }),
    );
    const id = run?.id as string;
    try {
      const result = await work();
      await database.transaction({ sync: true }, (tx) =>
        tx
          .update(schema.syncRuns)
          .set({
            status: 'succeeded',
            finishedAt: new Date(),
            result: { ...result } as Record<string, unknown>,
          })
          .where(eq(schema.syncRuns.id, id)),
      );
      const changed = Object.values(result).some((n) => n > 0);
      logger[changed ? 'info' : 'debug'](
        { syncRun: id, trigger, subject, ...result },
        'directory reconciled',
      );
      if (changed || subject)
        for (const listener of this.listeners)
          await listener({ trigger, subject }).catch((err: Error) =>
            logger.warn(
              { syncRun: id, err: { message: err.message } },
              'a directory listener failed',
            ),
          );
      return { id, status: 'succeeded', result };
    } catch (err) {
      const error = (err as Error).message;
      await database
        .transaction({ sync: true }, (tx) =>
          tx
            .update(schema.syncRuns)
            .set({ status: 'failed', finishedAt: new Date(), error })
            .where(eq(schema.syncRuns.id, id)),
        )
        .catch(() => undefined);
      logger.warn(
        { syncRun: id, trigger, subject, err: { message: error } },
        'directory reconcile failed',
      );
      return { id, status: 'failed', error };
    }
  }

  /** A full reconcile. Concurrent calls share one run; a call during a run schedules one more. */
  reconcileAll(trigger: SyncTrigger): Promise<SyncRun> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.record(trigger, null, async () => {
      const { groups, users } = await this.deps.source.fetchAll();
      return reconcileDirectory(this.deps.database, buildDirectory(groups, users));
    }).finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.reconcileAll(trigger);
      }
    });
    return this.running;
  }

  /** One user's row and memberships, from the source's current state (at login). */
  reconcileUser(keycloakId: string, trigger: SyncTrigger = 'login'): Promise<SyncRun> {
    return this.record(trigger, keycloakId, async () => {
      const { groups, user } = await this.deps.source.fetchUser(keycloakId);
      return reconcileDirectory(this.deps.database, buildDirectory(groups, user ? [user] : []), {
        only: [keycloakId],
      });
    });
  }

  /** The periodic job: a full reconcile each tick, on one replica; a failed run is retried. */
  job(schedule: string) {
    return defineJob({
      id: 'directory.reconcile',
      description:
        "Reconciles tenants, users and memberships from the directory (Keycloak's groups)",
      payload: z.object({}).loose(),
      schedule,
      handler: async () => {
        const run = await this.reconcileAll('schedule');
        if (run.status === 'failed') throw new Error(`directory reconcile failed: ${run.error}`);
      },
    });
  }

  async stop(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}
