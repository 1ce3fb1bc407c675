/**
 * Keycloak → the tools, from the command line (docs/permissions.md):
 *
 *   npm run sync                        every connected tool, every organisation
 *   npm run sync -- --tool <id>         one tool (a module's access tool id)
 *   npm run sync -- --user alice        one person (their organisations)
 *   npm run sync -- --org acme          one organisation (by slug)
 *   npm run sync -- --dry-run           print the plan, change nothing anywhere
 *   npm run sync -- --json              the result as JSON instead of a table
 *
 * `npm run sync` is `npm run afenda -- sync`. Runs in this process (one run per organisation and
 * tool at a time, as the workers do), against DATABASE_URL or the embedded default's database,
 * with the tools' settings from the environment.
 */
import { schema } from '@afenda/db';
import type { AccessRunResult } from '@afenda/platform/access/engine';
import { SecretBox } from '@afenda/platform/secrets';
import { and, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { composeOrchestrator, loadSettings } from '../compose.ts';
import type { Parsed } from './args.ts';
import { CliError, openDatabase, type Io } from './kit.ts';

export const syncOptions = {
  tool: { type: 'string' },
  user: { type: 'string' },
  org: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
} as const;

export async function syncCommand(args: Parsed, io: Io): Promise<number> {
  if (args.positionals.length)
    throw new CliError(`sync takes options only, not "${args.positionals.join(' ')}"`);
  const opt = args.values as { tool?: string; user?: string; org?: string; json?: boolean };
  const dryRun = args.values['dry-run'] === true;
  const { url, database } = await openDatabase(4);
  const orchestrator = await composeOrchestrator({
    settings: loadSettings({ ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' }),
    database,
    secrets: new SecretBox(SecretBox.generateKey()),
    logger: pino({ level: 'warn' }),
    databaseUrl: url,
  });
  const access = orchestrator.platform.access;
  const results: AccessRunResult[] = [];
  try {
    const tools = access.list().filter((t) => !opt.tool || t.id === opt.tool);
    if (opt.tool && tools.length === 0)
      throw new CliError(
        `no tool "${opt.tool}" (tools: ${access
          .list()
          .map((t) => t.id)
          .join(', ')})`,
      );
    for (const t of tools.filter((t) => !t.configured()))
      io.err(`sync: ${t.name} is not connected (see docs/permissions.md); skipped`);
    let orgs = await access.organisations();
    let userId: string | undefined;
    await database.transaction({ sync: true }, async (tx) => {
      if (opt.org) {
        const [o] = await tx
          .select({ id: schema.tenants.id })
          .from(schema.tenants)
          .where(and(eq(schema.tenants.slug, opt.org), eq(schema.tenants.kind, 'organization')));
        if (!o) throw new CliError(`no organisation "${opt.org}"`);
        orgs = [o.id];
      }
      if (opt.user) {
        const [u] = await tx
          .select({ id: schema.users.id })
          .from(schema.users)
          .where(eq(schema.users.username, opt.user));
        if (!u) throw new CliError(`no user "${opt.user}" in the directory`);
        userId = u.id;
        const mine = await tx
          .select({ tenantId: schema.userTenants.tenantId })
          .from(schema.userTenants)
          .where(eq(schema.userTenants.userId, u.id));
        orgs = orgs.filter((o) => mine.some((m) => m.tenantId === o));
      }
    });
    for (const tool of tools.filter((t) => t.configured()))
      for (const org of orgs)
        results.push(
          await database.transaction({ service: 'jobs', tenantId: org }, (tx) =>
            access.run(tool.id, org, { trigger: 'manual', dryRun, userId, lock: tx }),
          ),
        );
    if (opt.json) io.out(JSON.stringify(results, null, 2));
    else {
      for (const r of results) {
        io.out(
          `${r.tool} · organisation ${r.orgTenantId}: ${r.checked} checked, ${r.changes.length} to change${dryRun ? ' (dry run: nothing changed)' : ''}${r.failed ? `, ${r.failed} failed` : ''}`,
        );
        for (const c of r.changes)
          io.out(
            `  ${c.why === 'drift' ? 'drift    ' : 'directory'}  ${c.subject}: ${c.before ?? '—'} → ${c.after ?? 'removed'}${c.error ? `  FAILED: ${c.error}` : ''}`,
          );
      }
      if (results.length === 0) io.out('nothing to reconcile');
    }
    return results.some((r) => r.failed) ? 1 : 0;
  } finally {
    await orchestrator.platform.queue.stop().catch(() => undefined);
    await database.close();
  }
}
