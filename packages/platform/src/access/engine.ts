/**
 * Keycloak as the one source of access: one reconcile engine for every tool. The directory (the
 * tenants and memberships the directory sync keeps) is the desired state; each module supplies
 * an AccessTool that reads the tool's actual state and says, subject by subject (a person's place
 * in the tool), what should be and what is, with the call that makes it so. The engine diffs,
 * applies through the outbox (retried, dead-lettered, replayable; one run per organisation and
 * tool at a time), and records every change: on the organisation's timeline (tool, subject,
 * before → after, why), in access_state (what the Access page shows) and in sync_runs.
 *
 * Why a change is made: `directory` when the directory asked for something new; `drift` when the
 * tool held something else although the directory had not changed since the last run (a local
 * edit, set back: Keycloak is the source of truth).
 */
import type { Database, Tx } from '@afenda/db';
import { schema } from '@afenda/db';
import { and, eq, sql } from 'drizzle-orm';
import { recordActivity } from '../activity/record-activity.ts';
import { enqueueOutbound, type OutboundHandler } from '../outbound/outbound.ts';

/** A person's place in a tool: what should be, what is, and how to make it so. */
export interface AccessItem {
  /** Unique per tool and organisation, readable: "@alice:example.org in Acme — Support". */
  subject: string;
  /** The orchestrator's user it concerns (null for a stranger the tool has and we don't). */
  userId: string | null;
  /** What the directory says; null = the subject should not exist in the tool. */
  desired: string | null;
  actual: string | null;
  /** Makes actual = desired (only called when they differ). */
  apply?: () => Promise<void>;
}

export interface AccessTool {
  id: string;
  name: string;
  /**
   * How a local edit is met: `prevented` (the tool's own rules refuse it; what slips through is
   * repaired) or `repaired` (the tool can't refuse it: read back and set back on every run).
   */
  guard: 'prevented' | 'repaired';
  /** Whether the tool is connected at all; unconfigured tools are skipped, and say so. */
  configured(): boolean;
  /** Every subject of the organisation in the tool (only `userId`'s when given). */
  plan(orgTenantId: string, options: { userId?: string; dryRun: boolean }): Promise<AccessItem[]>;
}

export type AccessTrigger = 'startup' | 'schedule' | 'manual' | 'directory' | 'drift' | 'webhook';

export interface AccessRunResult {
  tool: string;
  orgTenantId: string;
  dryRun: boolean;
  checked: number;
  changes: Array<{
    subject: string;
    userId: string | null;
    before: string | null;
    after: string | null;
    why: 'directory' | 'drift';
    error?: string;
  }>;
  failed: number;
}

export const ACCESS_KIND = 'access.reconcile';

const S = schema.accessState;

export class AccessEngine {
  private readonly tools = new Map<string, AccessTool>();

  constructor(private readonly database: Database) {}

  register(tool: AccessTool): void {
    if (this.tools.has(tool.id)) throw new Error(`access tool "${tool.id}" registered twice`);
    this.tools.set(tool.id, tool);
  }

  list(): AccessTool[] {
    return [...this.tools.values()];
  }

  tool(id: string): AccessTool | undefined {
    return this.tools.get(id);
  }

  /** Every organisation's id. */
  async organisations(): Promise<string[]> {
    const rows = await this.database.transaction({ sync: true }, (tx) =>
      tx
        .select({ id: schema.tenants.id })
        .from(schema.tenants)
        .where(eq(schema.tenants.kind, 'organization')),
    );
    return rows.map((r) => r.id);
  }

  /**
   * Queues a run per organisation and configured tool (all, or the given ones) through the
   * outbox. `key` makes the request idempotent (a directory sync run's id, a drift event's id).
   */
  async enqueue(input: {
    trigger: AccessTrigger;
    key: string;
    tools?: string[];
    orgs?: string[];
    userId?: string;
  }): Promise<number> {
    const tools = this.list().filter(
      (t) => t.configured() && (!input.tools || input.tools.includes(t.id)),
    );
    const orgs = input.orgs ?? (await this.organisations());
    let queued = 0;
    for (const org of orgs)
      await this.database.transaction({ service: 'jobs', tenantId: org }, async (tx) => {
        for (const tool of tools) {
          const id = await enqueueOutbound(tx, {
            tenantId: org,
            kind: ACCESS_KIND,
            subjectId: `${tool.id}:${input.trigger}:${input.key}`.slice(0, 200),
            payload: {
              tool: tool.id,
              orgTenantId: org,
              trigger: input.trigger,
              userId: input.userId,
            },
          });
          if (id) queued++;
        }
      });
    return queued;
  }

  /** The outbox's handler: one run, serialised per organisation and tool. */
  handler(): OutboundHandler {
    return async (tx, action) => {
      const p = action.payload as {
        tool: string;
        orgTenantId: string;
        trigger: AccessTrigger;
        userId?: string;
      };
      const result = await this.run(p.tool, p.orgTenantId, {
        trigger: p.trigger,
        userId: p.userId,
        dryRun: false,
        lock: tx,
      });
      if (result.failed)
        throw new Error(
          `${result.failed} of ${result.changes.length} changes failed: ${result.changes.find((c) => c.error)?.error}`,
        );
      return { checked: result.checked, changed: result.changes.length };
    };
  }

  /** Plans (and unless dryRun, applies) one tool's access in one organisation. */
  async run(
    toolId: string,
    orgTenantId: string,
    options: { trigger: AccessTrigger; userId?: string; dryRun: boolean; lock?: Tx },
  ): Promise<AccessRunResult> {
    const tool = this.tools.get(toolId);
    if (!tool) throw new Error(`no access tool "${toolId}"`);
    if (options.lock)
      await options.lock.execute(
        sql`select pg_advisory_xact_lock(hashtext(${`access:${toolId}:${orgTenantId}`}))`,
      );
    const [run] = options.dryRun
      ? [undefined]
      : await this.database.transaction({ sync: true }, (tx) =>
          tx
            .insert(schema.syncRuns)
            .values({
              trigger: options.trigger === 'drift' ? 'drift' : options.trigger,
              source: `access:${toolId}`,
              subject: options.userId ?? orgTenantId,
            })
            .returning({ id: schema.syncRuns.id }),
        );
    const result: AccessRunResult = {
      tool: toolId,
      orgTenantId,
      dryRun: options.dryRun,
      checked: 0,
      changes: [],
      failed: 0,
    };
    try {
      const items = await tool.plan(orgTenantId, {
        userId: options.userId,
        dryRun: options.dryRun,
      });
      result.checked = items.length;
      const previous = await this.database.transaction(
        { service: 'jobs', tenantId: orgTenantId },
        (tx) =>
          tx
            .select()
            .from(S)
            .where(and(eq(S.tenantId, orgTenantId), eq(S.tool, toolId))),
      );
      const before = new Map(previous.map((r) => [r.subject, r]));
      const settled: AccessItem[] = [];
      for (const item of items) {
        if (item.desired === item.actual) {
          settled.push(item);
          continue;
        }
        const prev = before.get(item.subject);
        // In step at the last run, and the directory still says the same: a local edit.
        const why =
          prev &&
          prev.status !== 'failing' &&
          prev.desired === item.desired &&
          prev.actual === prev.desired
            ? 'drift'
            : 'directory';
        const change: AccessRunResult['changes'][number] = {
          subject: item.subject,
          userId: item.userId,
          before: item.actual,
          after: item.desired,
          why,
        };
        result.changes.push(change);
        if (options.dryRun) continue;
        try {
          await item.apply?.();
          await this.record(orgTenantId, tool, item, why, null);
        } catch (err) {
          change.error = (err as Error).message.slice(0, 500);
          result.failed++;
          await this.record(orgTenantId, tool, item, why, change.error);
        }
      }
      if (!options.dryRun)
        await this.settle(orgTenantId, tool, settled, options.userId ? null : items);
      if (run)
        await this.finish(run.id, result.failed ? 'failed' : 'succeeded', {
          checked: result.checked,
          changed: result.changes.length - result.failed,
          failed: result.failed,
        });
      return result;
    } catch (err) {
      if (run) await this.finish(run.id, 'failed', {}, (err as Error).message);
      throw err;
    }
  }

  private finish(id: string, status: 'succeeded' | 'failed', counts: object, error?: string) {
    return this.database.transaction({ sync: true }, (tx) =>
      tx
        .update(schema.syncRuns)
        .set({
          status,
          finishedAt: new Date(),
          result: counts as Record<string, unknown>,
          error: error ?? null,
        })
        .where(eq(schema.syncRuns.id, id)),
    );
  }

  /** One applied (or failed) change: its state, and its timeline entry when applied. */
  private async record(
    org: string,
    tool: AccessTool,
    item: AccessItem,
    why: 'directory' | 'drift',
    error: string | null,
  ): Promise<void> {
    await this.database.transaction({ service: 'jobs', tenantId: org }, async (tx) => {
      const now = new Date();
      const row = {
        tenantId: org,
        tool: tool.id,
        subject: item.subject,
        userId: item.userId,
        desired: item.desired,
        actual: error ? item.actual : item.desired,
        status: error
          ? ('failing' as const)
          : why === 'drift'
            ? ('repaired' as const)
            : ('in_sync' as const),
        error,
        updatedAt: now,
        ...(why === 'drift' && !error ? { driftedAt: now, driftWas: item.actual } : {}),
      };
      await tx
        .insert(S)
        .values(row)
        .onConflictDoUpdate({ target: [S.tenantId, S.tool, S.subject], set: row });
      if (error) return;
      await recordActivity(tx, {
        tenantId: org,
        actorId: null,
        source: tool.id,
        subjectType: 'access',
        subjectId: item.userId ?? org,
        verb: why === 'drift' ? 'drift-repaired' : 'synced',
        title:
          why === 'drift'
            ? `${tool.name}: ${item.subject} was ${item.actual ?? 'absent'} outside Keycloak; set back to ${item.desired ?? 'nothing'} (Keycloak is the source of truth)`
            : `${tool.name}: ${item.subject} ${item.actual ?? 'nothing'} → ${item.desired ?? 'removed'}`,
        data: {
          tool: tool.id,
          subject: item.subject,
          before: item.actual,
          after: item.desired,
          why,
        },
      });
    });
  }

  /**
   * Subjects found in step are recorded as such; with `all` (a full run), states of subjects
   * the tool no longer has and the directory no longer wants are dropped.
   */
  private async settle(
    org: string,
    tool: AccessTool,
    settled: AccessItem[],
    all: AccessItem[] | null,
  ): Promise<void> {
    await this.database.transaction({ service: 'jobs', tenantId: org }, async (tx) => {
      const now = new Date();
      for (let i = 0; i < settled.length; i += 500) {
        const rows = settled.slice(i, i + 500).map((item) => ({
          tenantId: org,
          tool: tool.id,
          subject: item.subject,
          userId: item.userId,
          desired: item.desired,
          actual: item.actual,
          status: 'in_sync' as const,
          error: null,
          updatedAt: now,
        }));
        await tx
          .insert(S)
          .values(rows)
          .onConflictDoUpdate({
            target: [S.tenantId, S.tool, S.subject],
            set: {
              userId: sql`excluded.user_id`,
              desired: sql`excluded.desired`,
              actual: sql`excluded.actual`,
              // A repaired subject stays "repaired" (with its drift) until it changes again.
              status: sql`case when ${S.status} = 'repaired' and ${S.desired} is not distinct from excluded.desired then 'repaired' else 'in_sync' end`,
              error: sql`null`,
              updatedAt: sql`excluded.updated_at`,
            },
          });
      }
      if (all) {
        const keep = new Set(all.map((i) => i.subject));
        const rows = await tx
          .select({ subject: S.subject })
          .from(S)
          .where(and(eq(S.tenantId, org), eq(S.tool, tool.id)));
        for (const r of rows)
          if (!keep.has(r.subject))
            await tx
              .delete(S)
              .where(and(eq(S.tenantId, org), eq(S.tool, tool.id), eq(S.subject, r.subject)));
      }
    });
  }
}
