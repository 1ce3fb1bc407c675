/**
 * The job queue: graphile-worker on the orchestrator's own PostgreSQL (docs/decisions.md says
 * why). Tasks register by name; work is added either inside a domain transaction (addJobInTx:
 * it exists if and only if the transaction commits) or, for the hot ingest path, after commit
 * through a coalescing dispatcher (one add_jobs call, one NOTIFY, per batch) so that no NOTIFY
 * sits in the ingest transaction. Anything the dispatcher had not handed over when the process
 * died is still marked due in its own table, and the sweepers queue it again.
 */
import type { Tx } from '@afenda/db';
import { sql } from 'drizzle-orm';
import {
  Logger as WorkerLogger,
  makeWorkerUtils,
  parseCronItems,
  run,
  type Runner,
  type Task,
  type WorkerUtils,
} from 'graphile-worker';
import pg from 'pg';
import type { Logger } from 'pino';
import { InteractiveGate } from './interactive-gate.ts';
import type { AnyJob, JobDefinition } from './job.ts';

/** Jobs one process fetches (and locks) at once, ahead of its workers. */
const LOCAL_QUEUE_SIZE = 50;

export interface QueueOptions {
  connectionString: string;
  concurrency: number;
  pollIntervalMs: number;
  logger: Logger;
  /** Largest batch the dispatcher hands over at once, and how long it gathers one (ms). */
  batchSize?: number;
  batchDelayMs?: number;
}

export interface JobSpec {
  task: string;
  payload: Record<string, unknown>;
  runAt?: Date;
}

function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    const fields = { queue: scope.label ?? 'worker', ...(meta ?? {}) };
    if (level === 'error') logger.error(fields, message);
    else if (level === 'warning') logger.warn(fields, message);
    else if (level === 'info') logger.debug(fields, message);
  });
}

export class JobQueue {
  private readonly jobs = new Map<string, AnyJob>();
  private runner: Runner | undefined;
  private utils: WorkerUtils | undefined;
  private pending: JobSpec[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly batchSize: number;
  private readonly batchDelayMs: number;
  private pool: pg.Pool | undefined;
  /** Runs of each job this process started (any outcome), by job id. */
  readonly runs = new Map<string, number>();
  /** A person's write in flight in this process holds back new jobs (interactive-gate.ts). */
  readonly interactive = new InteractiveGate();

  constructor(private readonly options: QueueOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.batchDelayMs = options.batchDelayMs ?? 5;
  }

  /** Registers a job definition; the workers run it once started. */
  register<P>(job: JobDefinition<P>): void {
    if (this.jobs.has(job.id)) throw new Error(`job ${job.id} is already registered`);
    if (this.runner) throw new Error(`job ${job.id} registered after the workers started`);
    this.jobs.set(job.id, job);
  }

  /** A job's payload is checked against its schema: a malformed one is dropped, never retried. */
  private task(job: JobDefinition<unknown>): Task {
    return async (raw) => {
      const wait = this.interactive.idle();
      if (wait) await wait;
      this.runs.set(job.id, (this.runs.get(job.id) ?? 0) + 1);
      const parsed = job.payload.safeParse(raw ?? {});
      if (!parsed.success) {
        this.options.logger.error(
          { job: job.id, issues: parsed.error.issues.map((i) => i.message) },
          'job payload does not fit its schema; dropped',
        );
        return;
      }
      await job.handler(parsed.data);
    };
  }

  /** Connects for adding jobs; with `work`, also runs the workers in this process. */
  async start(work: boolean): Promise<void> {
    const logger = workerLogger(this.options.logger);
    // One pool for adding and running jobs; a lost connection (a database restart) is dropped
    // from it and replaced at the next checkout, never a crash.
    this.pool = new pg.Pool({
      connectionString: this.options.connectionString,
      max: this.options.concurrency + 3,
      application_name: 'afenda-jobs',
    });
    const lost = (err: Error) =>
      this.options.logger.warn({ err: { message: err.message } }, 'job queue connection lost');
    this.pool.on('error', lost);
    this.pool.on('connect', (client) => client.on('error', lost));
    this.utils = await makeWorkerUtils({ pgPool: this.pool, logger });
    if (!work) return;
    const taskList: Record<string, Task> = {};
    for (const [id, job] of this.jobs) taskList[id] = this.task(job);
    const periodic = [...this.jobs.values()].filter((j) => j.schedule);
    this.runner = await run({
      pgPool: this.pool,
      concurrency: this.options.concurrency,
      pollInterval: this.options.pollIntervalMs,
      noHandleSignals: true,
      taskList,
      // One tick of each periodic job across every replica: graphile-worker records the tick it
      // queued. No backfill: a tick missed while nothing ran is not worth running late.
      parsedCronItems: parseCronItems(
        periodic.map((j) => ({
          task: j.id,
          identifier: j.id,
          match: j.schedule as string,
          options: { backfillPeriod: 0, maxAttempts: j.maxAttempts ?? 3, jobKey: j.id },
        })),
      ),
      logger,
      // Jobs fetched and completed in batches, not with one committed (fsynced) transaction
      // each: bench/queue-compare measured no-op jobs at ~9x the rate. A process that dies keeps
      // its fetched jobs locked (graphile-worker frees them after 4 h); the sweepers queue the
      // work again after JOB_RECOVERY_AFTER_S, and processing is idempotent.
      preset: {
        worker: {
          localQueue: { size: Math.max(LOCAL_QUEUE_SIZE, this.options.concurrency) },
          completeJobBatchDelay: 0,
          // Failures batched too: the batch retries a lost connection (20 attempts, backing off
          // to 30 s), where graphile-worker's unbatched failJob is a promise nobody awaits, and
          // a PostgreSQL restart turned it into an unhandled rejection that ended the process
          // (found by e2e/cluster-faults.e2e.ts).
          failJobBatchDelay: 0,
        },
      },
    });
    for (const job of periodic) if (job.runAtStart) await this.runNow(job.id);
  }

  /**
   * Queues a registered job now (an operator's "run now", or a periodic job at start). With
   * the job's id as its key, several replicas asking at once queue it once.
   */
  async runNow(id: string, payload: Record<string, unknown> = {}): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`no job ${id}`);
    if (!this.utils) throw new Error('the job queue is not started');
    await this.utils.addJob(id, payload, {
      jobKey: job.schedule ? id : undefined,
      maxAttempts: job.maxAttempts,
    });
  }

  /** The registered jobs, for the registry listing. */
  list(): { id: string; schedule: string | null; runAtStart: boolean; description: string }[] {
    return [...this.jobs.values()].map((j) => ({
      id: j.id,
      schedule: j.schedule || null,
      runAtStart: j.runAtStart ?? false,
      description: j.description,
    }));
  }

  get working(): boolean {
    return this.runner !== undefined;
  }

  /** Adds jobs now, in one statement (one NOTIFY for the batch). */
  async add(specs: JobSpec[]): Promise<void> {
    if (!this.utils) throw new Error('the job queue is not started');
    if (specs.length === 0) return;
    await this.utils.addJobs(
      specs.map((s) => ({ identifier: s.task, payload: s.payload, runAt: s.runAt })),
    );
  }

  /**
   * Hands a job to the dispatcher: added within batchDelayMs together with whatever else
   * arrived meanwhile. A failure is logged, not thrown: the work is still due in its own table.
   */
  addSoon(spec: JobSpec): void {
    this.pending.push(spec);
    if (this.pending.length >= this.batchSize) this.flushNow();
    else this.timer ??= setTimeout(() => this.flushNow(), this.batchDelayMs);
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.flushing = this.flushing.then(() =>
      this.add(batch).catch((err: Error) =>
        this.options.logger.warn(
          { err: { message: err.message }, jobs: batch.length },
          'could not queue jobs now; the sweeper will',
        ),
      ),
    );
  }

  /** Waits for what the dispatcher holds to be handed over. */
  async drain(): Promise<void> {
    this.flushNow();
    await this.flushing;
  }

  async stop(): Promise<void> {
    await this.drain();
    await this.runner?.stop();
    this.runner = undefined;
    await this.utils?.release();
    this.utils = undefined;
    await this.pool?.end();
    this.pool = undefined;
  }
}

/** Adds a job inside the caller's transaction (graphile_worker.add_job): atomic with it. */
export async function addJobInTx(tx: Tx, spec: JobSpec): Promise<void> {
  await tx.execute(
    sql`select graphile_worker.add_job(${spec.task}, ${JSON.stringify(spec.payload)}::json, run_at => ${spec.runAt?.toISOString() ?? null}::timestamptz)`,
  );
}

/** Retry n (1-based) waits min(max, base·2^(n-1)), with "equal jitter": between half and all of it. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
