/**
 * The kernel every module runs on, made once in the composition root and handed to each
 * module: the database, the job queue, and the registries of what reacts to what — approval
 * types and their hooks, webhook sources, outbound handlers, jobs. Nothing is registered
 * anywhere else (no module-level state), so describe() is the whole list.
 */
import type { Database } from '@afenda/db';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ACCESS_KIND, AccessEngine, type AccessTool } from './access/engine.ts';
import { ApprovalRegistry, type ApprovalType, type NamedHook } from './approvals/registry.ts';
import { defineJob, type AnyJob, type JobDefinition } from './jobs/job.ts';
import type { JobQueue } from './jobs/queue.ts';
import type { RetryPolicy } from './jobs/retry.ts';
import {
  OUTBOUND_TASK,
  runOutbound,
  sweepOutbound,
  type OutboundDeps,
  type OutboundHandler,
  OutboundCalls,
} from './outbound/outbound.ts';
import {
  PROCESS_TASK,
  processDelivery,
  sweepDeliveries,
  type DeliveryDeps,
  type UnmappedLimits,
  type WebhookSource,
} from './webhooks/deliveries.ts';

export interface PlatformOptions {
  database: Database;
  /**
   * The job workers' own pool (webhook processing, outbound calls): bulk work never holds the
   * connections that requests wait for. Defaults to `database`.
   */
  workDatabase?: Database;
  queue: JobQueue;
  logger: Logger;
  retry: RetryPolicy;
  /** How many unmapped webhook deliveries keep their bodies (per account, in total). */
  unmapped: UnmappedLimits;
  /** Work due this long and still unfinished is queued again by the sweep job. */
  recoveryAfterS: number;
  /** The sweep job's schedule (crontab); '' turns it off. */
  sweepSchedule: string;
  /** When every tool's access is reconciled besides each directory change (crontab; '' = off). */
  accessSchedule?: string;
}

export interface PlatformDescription {
  approvalTypes: { id: string; title: string }[];
  approvalHooks: { event: 'submitted' | 'decided'; type: string; name: string }[];
  webhookSources: string[];
  outboundHandlers: string[];
  jobs: { id: string; schedule: string | null; runAtStart: boolean; description: string }[];
  accessTools: { id: string; name: string; guard: string; configured: boolean }[];
}

export class Platform {
  readonly database: Database;
  readonly queue: JobQueue;
  readonly logger: Logger;
  readonly approvals = new ApprovalRegistry();
  readonly deliveries: DeliveryDeps;
  readonly outbound: OutboundDeps;
  /** Keycloak → the tools: one reconcile engine, a tool per module (access/engine.ts). */
  readonly access: AccessEngine;
  /** The same, on the workers' pool: what the jobs run with. */
  private readonly work: { deliveries: DeliveryDeps; outbound: OutboundDeps };

  constructor(private readonly options: PlatformOptions) {
    const { database, queue, retry } = options;
    this.database = database;
    this.queue = queue;
    this.logger = options.logger;
    this.deliveries = { database, queue, retry, sources: new Map(), unmapped: options.unmapped };
    this.outbound = { database, queue, retry, handlers: new Map(), calls: new OutboundCalls() };
    // The registries are shared (the same Maps); only the pool differs.
    const workDatabase = options.workDatabase ?? database;
    this.work = {
      deliveries: { ...this.deliveries, database: workDatabase },
      outbound: { ...this.outbound, database: workDatabase },
    };
    this.access = new AccessEngine(database);
    this.outbound.handlers.set(ACCESS_KIND, this.access.handler());
    for (const job of this.kernelJobs()) queue.register(job);
  }

  addApprovalType(type: ApprovalType): void {
    this.approvals.register(type);
  }

  onApprovalSubmitted(hook: NamedHook): () => void {
    return this.approvals.on('submitted', hook);
  }

  onApprovalDecided(hook: NamedHook): () => void {
    return this.approvals.on('decided', hook);
  }

  addWebhookSource(source: WebhookSource): void {
    if (this.deliveries.sources.has(source.name))
      throw new Error(`webhook source ${source.name} is already registered`);
    this.deliveries.sources.set(source.name, source);
  }

  webhookSource(name: string): WebhookSource | undefined {
    return this.deliveries.sources.get(name);
  }

  addOutboundHandler(kind: string, handler: OutboundHandler): void {
    if (this.outbound.handlers.has(kind))
      throw new Error(`outbound handler ${kind} is already registered`);
    this.outbound.handlers.set(kind, handler);
  }

  addAccessTool(tool: AccessTool): void {
    this.access.register(tool);
  }

  addJob<P>(job: JobDefinition<P>): void {
    this.queue.register(job);
  }

  /** One sweep now: unfinished deliveries and outbound actions queued again. */
  async sweep(): Promise<{ deliveries: number; outbound: number }> {
    return {
      deliveries: await sweepDeliveries(this.deliveries, this.options.recoveryAfterS),
      outbound: await sweepOutbound(this.outbound, this.options.recoveryAfterS),
    };
  }

  describe(): PlatformDescription {
    const approvals = this.approvals.describe();
    return {
      approvalTypes: approvals.types,
      approvalHooks: approvals.hooks,
      webhookSources: [...this.deliveries.sources.keys()],
      outboundHandlers: [...this.outbound.handlers.keys()],
      jobs: this.queue.list(),
      accessTools: this.access.list().map((t) => ({
        id: t.id,
        name: t.name,
        guard: t.guard,
        configured: t.configured(),
      })),
    };
  }

  private kernelJobs(): AnyJob[] {
    return [
      defineJob({
        id: PROCESS_TASK,
        description: 'Processes one stored webhook delivery (exactly once in effect)',
        payload: z.object({ id: z.uuid() }),
        handler: ({ id }) => processDelivery(this.work.deliveries, id),
      }),
      defineJob({
        id: OUTBOUND_TASK,
        description: 'Runs one outbound call into a tool (retried, dead-lettered)',
        payload: z.object({ tenantId: z.uuid(), id: z.uuid() }),
        handler: ({ tenantId, id }) => runOutbound(this.work.outbound, tenantId, id),
      }),
      defineJob({
        id: 'jobs.sweep',
        description: 'Queues again deliveries and outbound actions a dead process left unfinished',
        payload: z.object({}).loose(),
        schedule: this.options.sweepSchedule,
        runAtStart: true,
        handler: async () => {
          const n = await this.sweep();
          if (n.deliveries + n.outbound > 0) this.logger.info(n, 'queued unfinished work again');
        },
      }),
      defineJob({
        id: 'access.reconcile',
        description: "Reconciles every connected tool's access with the directory (Keycloak)",
        payload: z.object({}).loose(),
        schedule: this.options.accessSchedule ?? '',
        runAtStart: true,
        handler: async () => {
          await this.access.enqueue({ trigger: 'schedule', key: new Date().toISOString() });
        },
      }),
    ];
  }
}
