/**
 * Keycloak → the tools, from the command line (docs/permissions.md):
 *
 *   npm run sync                          every connected tool, every organisation
 *   npm run sync -- --tool matrix         one tool
 *   npm run sync -- --user alice          one person (their organisations)
 *   npm run sync -- --org acme            one organisation (by slug)
 *   npm run sync -- --dry-run             print the plan, change nothing anywhere
 *   npm run sync -- --json                the result as JSON instead of a table
 *
 * Runs in this process (one run per organisation and tool at a time, as the workers do), against
 * DATABASE_URL or the embedded default's database, with the tools' settings from the environment.
 */
import { createDatabase, schema } from '@afenda/db';
import type { AccessRunResult } from '@afenda/platform/access/engine';
import { SecretBox } from '@afenda/platform/secrets';
import { and, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { parseArgs } from 'node:util';
import { composeOrchestrator, loadSettings } from '../compose.ts';
import { cliDatabaseUrl } from './database.ts';

const fail = (message: string): never => {
  process.stderr.write(`sync: ${message}\n`);
  process.exit(2);
};

function parse() {
  return parseArgs({
    options: {
      tool: { type: 'string' },
      user: { type: 'string' },
      org: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  }).values;
}
const args = (() => {
  try {
    return parse();
  } catch (err) {
    return fail(`${(err as Error).message} (options: --tool, --user, --org, --dry-run, --json)`);
  }
})();

let url = '';
try {
  url = cliDatabaseUrl();
} catch {
  fail('no database: set DATABASE_URL, or start the product once (npm start) for the embedded one');
}
const database = createDatabase({ url, max: 4 });
const logger = pino({ level: 'warn' });
try {
  await database.ping();
} catch (err) {
  await database.close();
  fail(`the database does not answer (${(err as Error).message}); is the product running?`);
}
const orchestrator = await composeOrchestrator({
  settings: loadSettings({ ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' }),
  database,
  secrets: new SecretBox(SecretBox.generateKey()),
  logger,
  databaseUrl: url,
});
const access = orchestrator.platform.access;
const dryRun = args['dry-run'] ?? false;
const results: AccessRunResult[] = [];
try {
  const tools = access.list().filter((t) => !args.tool || t.id === args.tool);
  if (args.tool && tools.length === 0)
    fail(
      `no tool "${args.tool}" (tools: ${access
        .list()
        .map((t) => t.id)
        .join(', ')})`,
    );
  const unconfigured = tools.filter((t) => !t.configured());
  for (const t of unconfigured)
    process.stderr.write(`sync: ${t.name} is not connected (see docs/permissions.md); skipped\n`);
  let orgs = await access.organisations();
  let userId: string | undefined;
  await database.transaction({ sync: true }, async (tx) => {
    if (args.org) {
      const [o] = await tx
        .select({ id: schema.tenants.id })
        .from(schema.tenants)
        .where(and(eq(schema.tenants.slug, args.org), eq(schema.tenants.kind, 'organization')));
      if (!o) fail(`no organisation "${args.org}"`);
      orgs = [o!.id];
    }
    if (args.user) {
      const [u] = await tx
        .select({ id: schema.users.id })
        .from(schema.users)
        .where(eq(schema.users.username, args.user));
      if (!u) fail(`no user "${args.user}" in the directory`);
      userId = u!.id;
      const mine = await tx
        .select({ tenantId: schema.userTenants.tenantId })
        .from(schema.userTenants)
        .where(eq(schema.userTenants.userId, userId));
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
  if (args.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else {
    for (const r of results) {
      process.stdout.write(
        `${r.tool} · organisation ${r.orgTenantId}: ${r.checked} checked, ${r.changes.length} to change${dryRun ? ' (dry run: nothing changed)' : ''}${r.failed ? `, ${r.failed} failed` : ''}\n`,
      );
      for (const c of r.changes)
        process.stdout.write(
          `  ${c.why === 'drift' ? 'drift    ' : 'directory'}  ${c.subject}: ${c.before ?? '—'} → ${c.after ?? 'removed'}${c.error ? `  FAILED: ${c.error}` : ''}\n`,
        );
    }
    if (results.length === 0) process.stdout.write('nothing to reconcile\n');
  }
  if (results.some((r) => r.failed)) process.exitCode = 1;
} catch (err) {
  process.stderr.write(`sync: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await orchestrator.platform.queue.stop().catch(() => undefined);
  await database.close();
}
