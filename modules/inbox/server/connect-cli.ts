/**
 * `afenda connect chatwoot --org <slug> --url <Chatwoot> --account <id> [--token t]
 * [--dashboard-app <url>]`: the App registry's "Connect Chatwoot" (connect.ts) from the
 * command line, for an operator wiring an organisation without a browser. The token comes from
 * --token or CHATWOOT_API_TOKEN (kept out of the shell's history). The round trip needs the
 * orchestrator running at PUBLIC_URL, where Chatwoot sends its webhook.
 */
import { schema } from '@afenda/db';
import type { ModuleConnector } from '@afenda/platform/module';
import { and, eq } from 'drizzle-orm';
import { ChatwootAccounts } from './accounts.ts';
import { connectChatwoot } from './connect.ts';

const USAGE =
  '--org <slug> --url <Chatwoot address> --account <id> [--token t] [--dashboard-app <url>]';

const httpUrl = (name: string, value: string | boolean | undefined) => {
  if (typeof value !== 'string' || !value)
    throw new Error(`--${name} is needed (connect chatwoot ${USAGE})`);
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new Error(`--${name} must be an http(s) URL, not "${value}"`);
  return value;
};

export const chatwootConnector: ModuleConnector = {
  tool: 'chatwoot',
  usage: USAGE,
  summary: 'webhook with a fresh secret, settings, Dashboard App, a proven round trip',
  options: {
    org: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    account: { type: 'string' },
    'dashboard-app': { type: 'string' },
  },
  async run({ values: v, positionals }, kit) {
    if (positionals.length) throw new Error(`usage: connect chatwoot ${USAGE}`);
    const org = typeof v.org === 'string' ? v.org : undefined;
    if (!org) throw new Error('--org is needed: the organisation’s slug, e.g. acme');
    const baseUrl = httpUrl('url', v.url);
    const dashboardAppUrl = v['dashboard-app']
      ? httpUrl('dashboard-app', v['dashboard-app'])
      : undefined;
    const account = typeof v.account === 'string' ? v.account : '';
    if (!/^\d{1,9}$/.test(account) || Number(account) < 1)
      throw new Error('--account is the number in Chatwoot’s address (/app/accounts/<id>)');
    const apiToken =
      (typeof v.token === 'string' ? v.token : undefined) ?? kit.env.CHATWOOT_API_TOKEN;
    if (!apiToken)
      throw new Error(
        'no token: pass --token or set CHATWOOT_API_TOKEN (a Chatwoot administrator’s access token)',
      );

    const { database, secrets, publicUrl, close } = await kit.openDatabase();
    try {
      const [tenant] = await database.transaction({ sync: true }, (tx) =>
        tx
          .select({ id: schema.tenants.id })
          .from(schema.tenants)
          .where(and(eq(schema.tenants.slug, org), eq(schema.tenants.kind, 'organization'))),
      );
      if (!tenant) throw new Error(`no organisation "${org}" (its slug, e.g. acme)`);
      const result = await connectChatwoot(
        {
          database,
          secrets,
          accounts: new ChatwootAccounts({ database, secrets }),
          publicUrl,
          timeoutMs: 10_000,
          fetch,
        },
        { tenantId: tenant.id, userId: null },
        { baseUrl, apiToken, accountId: Number(account), dashboardAppUrl },
      );
      if (kit.json) kit.out(JSON.stringify(result, null, 2));
      else {
        for (const s of result.steps)
          kit.out(`${s.ok ? 'ok  ' : 'FAIL'}  ${s.step.padEnd(13)}  ${s.detail}`);
        kit.out(
          result.ok
            ? 'Chatwoot is connected.'
            : 'Chatwoot is not connected yet: see the failed step.',
        );
      }
      return result.ok ? 0 : 1;
    } finally {
      await close();
    }
  },
};
