/**
 * The composition root's middle: settings for the kernel and every module, the Platform, and
 * the modules registered on it. server.ts and the test harness both build the orchestrator
 * through here, so what runs in tests is what runs in production.
 */
import { createDatabase, type Database } from '@afenda/db';
import { JobQueue } from '@afenda/platform/jobs/queue';
import type { ModuleParts, ServerModule } from '@afenda/platform/module';
import { Platform } from '@afenda/platform/platform';
import type { SecretBox } from '@afenda/platform/secrets';
import { ConfigError, parseSettings, type SettingProblem } from '@afenda/platform/settings';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadConfig, settingsSchema, type Config } from './config.ts';
import type { DirectorySync } from './domain/identity/sync.ts';
import { registerApprovalNotifications } from './domain/notifications/approval-notifications.ts';
import { expireStreamJob } from './domain/stream/expire.ts';
import { retentionJob } from './domain/retention/purge.ts';
import { MODULES } from './modules.ts';

import { REPO_ROOT } from './paths.ts';

export interface Settings {
  config: Config;
  /** Each module's parsed slice, by module id. */
  modules: Map<string, unknown>;
}

/** The kernel's settings and every module's slice, with all their problems reported at once. */
export function loadSettings(
  env: Record<string, string | undefined> = process.env,
  modules: ServerModule[] = MODULES,
): Settings {
  const problems: SettingProblem[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const slices = new Map<string, unknown>();
  for (const module of modules) {
    const parsed = parseSettings(module.settings, env);
    if (!parsed.data) problems.push(...parsed.problems);
    else {
      const production = (config?.NODE_ENV ?? env.NODE_ENV) === 'production';
      problems.push(...(module.checkSettings?.(parsed.data, { production }) ?? []));
      slices.set(module.manifest.id, parsed.data);
    }
  }
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return { config, modules: slices };
}

/** Every settings key the orchestrator reads: the kernel's and each module's. */
export function settingKeys(modules: ServerModule[] = MODULES): string[] {
  return [
    ...Object.keys(settingsSchema.shape),
    ...modules.flatMap((m) => Object.keys(m.settings.shape)),
  ];
}

export interface LoadedModule {
  module: ServerModule;
  parts: ModuleParts;
}

export interface Orchestrator {
  platform: Platform;
  modules: LoadedModule[];
  /** Starts the job queue (and, with JOBS_ENABLED, its workers and schedules). */
  start(): Promise<void>;
  /** Stops the modules, then the queue. */
  stop(): Promise<void>;
  /** What reacts to what: approval types and hooks, webhook sources, outbound handlers, jobs. */
  describe(): ReturnType<Platform['describe']> & { modules: string[] };
}

export interface ComposeOptions {
  settings: Settings;
  database: Database;
  secrets: SecretBox;
  logger: Logger;
  /** The application role's URL, for the job queue's own connections. */
  databaseUrl: string;
  /** The directory sync: reconciled on its schedule (when a directory is loaded at all). */
  directory?: { sync: DirectorySync; scheduled: boolean };
  /** Calls into the tools go through this (tests point it at a local double). */
  fetch?: typeof fetch;
  modules?: ServerModule[];
}

export async function composeOrchestrator(options: ComposeOptions): Promise<Orchestrator> {
  const { config } = options.settings;
  const { database, logger } = options;
  const queue = new JobQueue({
    connectionString: options.databaseUrl,
    concurrency: config.JOB_CONCURRENCY,
    pollIntervalMs: config.JOB_POLL_INTERVAL_MS,
    logger: logger.child({ component: 'jobs' }),
  });
  // The workers' own connections (created on first use): a burst of webhook processing never
  // makes an interactive write wait for a pool connection (docs/decisions.md).
  const workDatabase = createDatabase({
    url: options.databaseUrl,
    max: config.JOB_CONCURRENCY + 1,
    applicationName: 'afenda-jobs-work',
  });
  const platform = new Platform({
    database,
    workDatabase,
    queue,
    logger,
    retry: {
      maxAttempts: config.JOB_MAX_ATTEMPTS,
      baseMs: config.JOB_BACKOFF_BASE_MS,
      maxMs: config.JOB_BACKOFF_MAX_MS,
    },
    unmapped: {
      perAccount: config.WEBHOOK_UNMAPPED_MAX_PER_ACCOUNT,
      total: config.WEBHOOK_UNMAPPED_MAX_TOTAL,
    },
    recoveryAfterS: config.JOB_RECOVERY_AFTER_S,
    sweepSchedule: config.JOB_SWEEP_SCHEDULE,
    accessSchedule: config.ACCESS_SYNC_SCHEDULE,
  });

  // The kernel's own reactions and jobs.
  registerApprovalNotifications(platform.approvals);
  platform.addJob(
    expireStreamJob({
      database,
      retentionS: config.STREAM_RETENTION_S,
      schedule: config.STREAM_EXPIRY_SCHEDULE,
    }),
  );
  platform.addJob(
    retentionJob({
      database,
      logger,
      schedule: config.RETENTION_SCHEDULE,
      policy: {
        webhookBodyDays: config.WEBHOOK_BODY_RETENTION_DAYS,
        webhookRowDays: config.WEBHOOK_RETENTION_DAYS,
        outboundDays: config.OUTBOUND_RETENTION_DAYS,
      },
    }),
  );
  if (options.directory?.scheduled)
    platform.addJob(options.directory.sync.job(config.KEYCLOAK_SYNC_SCHEDULE));

  const core = {
    NODE_ENV: config.NODE_ENV,
    PUBLIC_URL: config.PUBLIC_URL,
    CORS_ORIGINS: config.CORS_ORIGINS,
    dataDir: path.resolve(REPO_ROOT, config.DATA_DIR),
    webhookBodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES,
    demo: config.NODE_ENV !== 'production' && (config.SEED_DEMO_DATA ?? config.embedded),
  };
  const loaded: LoadedModule[] = [];
  for (const module of options.modules ?? MODULES) {
    const id = module.manifest.id;
    const parts = await module.create({
      platform,
      database,
      logger: logger.child({ module: id }),
      secrets: options.secrets,
      settings: options.settings.modules.get(id) as Record<string, unknown>,
      core,
      fetch: options.fetch ?? globalThis.fetch,
    });
    for (const type of parts.approvalTypes ?? []) platform.addApprovalType(type);
    for (const source of parts.webhookSources ?? []) platform.addWebhookSource(source);
    for (const [kind, handler] of Object.entries(parts.outboundHandlers ?? {}))
      platform.addOutboundHandler(kind, handler);
    for (const job of parts.jobs ?? []) platform.addJob(job);
    for (const tool of parts.accessTools ?? []) platform.addAccessTool(tool);
    loaded.push({ module, parts });
  }
  // Hooks after every type is known: a hook may react to another module's type.
  for (const { parts } of loaded)
    for (const { event, ...hook } of parts.approvalHooks ?? []) platform.approvals.on(event, hook);
  for (const { parts } of loaded)
    if (parts.onDirectoryChanged)
      options.directory?.sync.onChanged(parts.onDirectoryChanged.bind(parts));
  // Every change of the directory reaches the tools (each module's access tool).
  options.directory?.sync.onChanged(async ({ trigger, subject }) => {
    await platform.access.enqueue({
      trigger: 'directory',
      key: `${trigger}:${subject ?? 'all'}:${new Date().toISOString()}:${Math.random().toString(36).slice(2, 8)}`,
    });
  });

  return {
    platform,
    modules: loaded,
    async start() {
      await queue.start(config.JOBS_ENABLED);
      for (const { parts } of loaded) await parts.start?.();
    },
    async stop() {
      for (const { parts } of [...loaded].reverse()) await parts.stop?.();
      await queue.stop();
      await workDatabase.close();
    },
    describe: () => ({
      ...platform.describe(),
      modules: loaded.map((m) => m.module.manifest.id),
    }),
  };
}
