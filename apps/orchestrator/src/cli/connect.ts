/**
 * `afenda connect chatwoot --org <slug> --url <Chatwoot> --account <id> [--token t]
 * [--dashboard-app <url>]`: the App registry's "Connect Chatwoot" from the command line
 * (modules/inbox/server/connect.ts), for an operator wiring an organisation without a browser.
 * The token comes from --token or CHATWOOT_API_TOKEN (kept out of the shell's history). The
 * round trip needs the orchestrator running at PUBLIC_URL, where Chatwoot sends its webhook.
 */
import { schema } from '@afenda/db';
import { ChatwootAccounts } from '@afenda/module-inbox/server/accounts';
import { connectChatwoot } from '@afenda/module-inbox/server/connect';
import { SecretBox } from '@afenda/platform/secrets';
import { and, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { loadConfig } from '../config.ts';
import { settingsKey } from '../runtime.ts';
import type { Parsed } from './args.ts';
import { CliError, openDatabase, type Io } from './kit.ts';

export const connectOptions = {
  org: { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  account: { type: 'string' },
  'dashboard-app': { type: 'string' },
} as const;

const USAGE =
  'usage: connect chatwoot --org <slug> --url <Chatwoot address> --account <id> [--token t] [--dashboard-app <url>]';

const httpUrl = (name: string, value: string | undefined) => {
  if (!value) throw new CliError(`--${name} is needed (${USAGE.replace('usage: ', '')})`);
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new CliError(`--${name} must be an http(s) URL, not "${value}"`);
  return value;
};

export async function connectCommand(args: Parsed, io: Io): Promise<number> {
  const [tool, ...rest] = args.positionals;
  if (tool !== 'chatwoot' || rest.length)
    throw new CliError(tool ? `no tool "${tool}" to connect here (tools: chatwoot)` : USAGE);
  const v = args.values as Record<string, string | undefined>;
  if (!v.org) throw new CliError('--org is needed: the organisation’s slug, e.g. acme');
  const baseUrl = httpUrl('url', v.url);
  const dashboardAppUrl = v['dashboard-app']
    ? httpUrl('dashboard-app', v['dashboard-app'])
    : undefined;
  if (!v.account || !/^\d{1,9}$/.test(v.account) || Number(v.account) < 1)
    throw new CliError('--account is the number in Chatwoot’s address (/app/accounts/<id>)');
  const apiToken = v.token ?? process.env.CHATWOOT_API_TOKEN;
  if (!apiToken)
    throw new CliError(
      'no token: pass --token or set CHATWOOT_API_TOKEN (a Chatwoot administrator’s access token)',
    );

  const config = loadConfig({ ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' });
  const { database } = await openDatabase(2);
  try {
    const [org] = await database.transaction({ sync: true }, (tx) =>
      tx
        .select({ id: schema.tenants.id })
        .from(schema.tenants)
        .where(and(eq(schema.tenants.slug, v.org!), eq(schema.tenants.kind, 'organization'))),
    );
    if (!org) throw new CliError(`no organisation "${v.org}" (its slug, e.g. acme)`);
    const secrets = new SecretBox(await settingsKey(config, pino({ level: 'silent' })));
    const result = await connectChatwoot(
      {
        database,
        secrets,
        accounts: new ChatwootAccounts({ database, secrets }),
        publicUrl: config.PUBLIC_URL,
        timeoutMs: 10_000,
        fetch,
      },
      { tenantId: org.id, userId: null },
      { baseUrl, apiToken, accountId: Number(v.account), dashboardAppUrl },
    );
    if (args.values.json === true) io.out(JSON.stringify(result, null, 2));
    else {
      for (const s of result.steps)
        io.out(`${s.ok ? 'ok  ' : 'FAIL'}  ${s.step.padEnd(13)}  ${s.detail}`);
      io.out(
        result.ok
          ? 'Chatwoot is connected.'
          : 'Chatwoot is not connected yet: see the failed step.',
      );
    }
    return result.ok ? 0 : 1;
  } catch (err) {
    const e = err as { statusCode?: number; message?: string };
    if (e.statusCode === 409) throw new CliError(e.message ?? 'conflict');
    throw err;
  } finally {
    await database.close();
  }
}
