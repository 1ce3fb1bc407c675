/**
 * What a tool's folder exports: one declarative module. The orchestrator's loader parses its
 * settings slice, calls create() with the kernel and its dependencies, and registers what it
 * returns on the Platform; the module never reaches into the orchestrator app.
 */
import type { ModuleManifest } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import type { FastifyPluginAsync } from 'fastify';
import type { ParseArgsOptionsConfig } from 'node:util';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ApprovalType, ApprovalHook, HookEvent } from './approvals/registry.ts';
import type { AnyJob } from './jobs/job.ts';
import type { OutboundHandler } from './outbound/outbound.ts';
import type { AccessTool } from './access/engine.ts';
import type { Platform } from './platform.ts';
import type { SecretBox } from './secrets.ts';
import type { SettingProblem, SettingsSchema } from './settings.ts';
import type { WebhookSource } from './webhooks/deliveries.ts';

/** The kernel's settings a module may read. */
export interface CoreSettings {
  NODE_ENV: 'production' | 'development' | 'test';
  PUBLIC_URL: string;
  CORS_ORIGINS: string[];
  /** The orchestrator's data folder (absolute). */
  dataDir: string;
  /** The largest webhook body accepted (WEBHOOK_BODY_LIMIT_BYTES). */
  webhookBodyLimit: number;
  /** Demo data is asked for (development only). */
  demo: boolean;
}

export interface ModuleContext<S> {
  platform: Platform;
  database: Database;
  logger: Logger;
  secrets: SecretBox;
  settings: S;
  core: CoreSettings;
  /** Calls into the tool go through this: tests hand a double at the network boundary. */
  fetch: typeof fetch;
}

/** A reaction to an approval of one of the module's types (or '*'), named for the listing. */
export interface ModuleApprovalHook {
  event: HookEvent;
  type: string;
  name: string;
  run: ApprovalHook;
}

/** What a module contributes, registered on the Platform by the loader. */
/** What a connection test found: ok or not, and the tool's answer in one sentence. */
export interface ConnectionTest {
  ok: boolean;
  /** e.g. "Chatwoot answered for account 3: 12 open conversations" or "Chatwoot refused the API token (401)". */
  summary: string;
  /** The address called (no secrets). */
  target: string;
}

export interface ModuleParts {
  /** Its HTTP routes, registered under /api/v1 (the tenant-route helpers are in platform/http). */
  routes?: FastifyPluginAsync;
  webhookSources?: WebhookSource[];
  outboundHandlers?: Record<string, OutboundHandler>;
  approvalTypes?: ApprovalType[];
  approvalHooks?: ModuleApprovalHook[];
  jobs?: AnyJob[];
  /** The tool's part of the access reconcile (Keycloak → the tool; access/engine.ts). */
  accessTools?: AccessTool[];
  /** Checks a tenant's settings for the module before they are stored (throws AppError). */
  checkTenantSettings?(
    tenantId: string,
    options: Record<string, unknown> | undefined,
  ): Promise<void>;
  /**
   * Checks the tenant's connection to the tool with its stored settings (the App registry's
   * "Test connection"): one real call, and what the tool answered, never a secret.
   */
  testConnection?(tenantId: string): Promise<ConnectionTest>;
  /** A tenant's settings for the module changed. */
  onTenantSettingsChanged?(tenantId: string): void;
  /**
   * The directory (Keycloak's groups and users) changed: a reconcile that changed something, or
   * a user reconciled at sign-in or by Keycloak's nudge. Runs after that reconcile committed.
   */
  onDirectoryChanged?(change: { trigger: string; subject: string | null }): Promise<void>;
  /**
   * Gauges of the module's own state on this replica (e.g. live whiteboard sessions), served at
   * /metrics as `afenda_<name>`; `read` is called at each scrape.
   */
  gauges?: { name: string; help: string; read(): number }[];
  /** Demo data (development only, when demo data is asked for). */
  seedDemo?(): Promise<void>;
  /** Runs once the app listens; undone by stop() before the database closes. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/**
 * `afenda connect <tool>`: wiring the tool from the operator's command line (the App
 * registry's Connect, without a browser). The orchestrator's CLI parses the options, and a
 * thrown Error's message is told in one line (its `exitCode`, if any, is the exit code).
 */
export interface ModuleConnector {
  /** The word after `connect`, e.g. chatwoot. */
  tool: string;
  /** The options after `connect <tool>`, for the help text. */
  usage: string;
  summary: string;
  options: ParseArgsOptionsConfig;
  run(
    args: { values: Record<string, string | boolean | undefined>; positionals: string[] },
    kit: ConnectorKit,
  ): Promise<number>;
}

/** What the orchestrator's CLI hands a connector. */
export interface ConnectorKit {
  out(line: string): void;
  /** --json was given: print JSON instead of lines. */
  json: boolean;
  /** The environment, with the repository's .env under it (the environment wins). */
  env: Record<string, string | undefined>;
  /** The database as the application role, and the settings' secret box; close it when done. */
  openDatabase(): Promise<{
    database: Database;
    secrets: SecretBox;
    /** PUBLIC_URL: where the tools reach the orchestrator. */
    publicUrl: string;
    close(): Promise<void>;
  }>;
}

export interface ServerModule<T extends SettingsSchema = SettingsSchema> {
  /** `afenda connect <tool>` for this module's tool(s). */
  connectors?: ModuleConnector[];
  manifest: ModuleManifest;
  /** The module's environment keys (its slice of the settings). */
  settings: T;
  /**
   * Problems across the slice's keys that one key's schema can't see, and what production
   * requires (`production`: NODE_ENV is production).
   */
  checkSettings?(settings: z.infer<T>, core: { production: boolean }): SettingProblem[];
  create(context: ModuleContext<z.infer<T>>): ModuleParts | Promise<ModuleParts>;
}

/** Keeps the settings type of a module (an identity function, for inference). */
export function defineModule<T extends SettingsSchema>(module: ServerModule<T>): ServerModule<T> {
  return module;
}
