/**
 * Verify a tenant's approval ledger from the command line:
 *
 *   npm run ledger:verify -- <tenant id or organisation slug>
 *
 * Connects as the application role (DATABASE_URL; on the embedded default, the URL is read from
 * DATA_DIR's state). Prints the result as JSON; exits 0 when the chain is intact, 2 when a link
 * is broken (naming the first one), 1 when it cannot check.
 */
import { createDatabase, schema } from '@afenda/db';
import { eq, or } from 'drizzle-orm';
import { verifyLedger } from '@afenda/platform/approvals/verify-ledger';
import { cliDatabaseUrl } from './database.ts';

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: ledger <tenant id or slug>\n');
  process.exit(1);
}
const database = createDatabase({ url: cliDatabaseUrl(), max: 1 });
try {
  const isId = /^[0-9a-f-]{36}$/i.test(target);
  const [tenant] = await database.transaction({ sync: true }, (tx) =>
    tx
      .select({ id: schema.tenants.id, slug: schema.tenants.slug })
      .from(schema.tenants)
      .where(isId ? eq(schema.tenants.id, target) : or(eq(schema.tenants.slug, target))),
  );
  if (!tenant) {
    process.stderr.write(`ledger: no tenant ${target}\n`);
    process.exitCode = 1;
  } else {
    const result = await verifyLedger(database, tenant.id);
    process.stdout.write(
      `${JSON.stringify({ tenant: tenant.slug, tenantId: tenant.id, ...result })}\n`,
    );
    process.exitCode = result.valid ? 0 : 2;
  }
} catch (err) {
  process.stderr.write(`ledger: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
