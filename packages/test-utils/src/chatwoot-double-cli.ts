/**
 * `npm run chatwoot:double`: the stateful Chatwoot double (chatwoot-platform-double.ts) as a
 * server, to try the access sync on `npm start` without a Chatwoot (docs/permissions.md, "Try
 * it"). It creates one account as the platform app would and prints what to set. State lives in
 * memory: a restart starts empty. Never for production: it is a test double.
 *
 *   npm run chatwoot:double [-- --port 3005]
 */
import { parseArgs } from 'node:util';
import { startChatwootPlatformDouble } from './chatwoot-platform-double.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3005' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`chatwoot:double: --port is a port number, not "${values.port}"\n`);
  process.exit(1);
}
const double = startChatwootPlatformDouble({ platformToken: 'chatwoot-double-platform-token' });
const account = double.local.createAccount('Acme Support');
double.local.createInbox(account, 'Website');
const served = await double.listen(port).catch((err: Error) => {
  process.stderr.write(`chatwoot:double: cannot listen on ${port}: ${err.message}\n`);
  process.exit(1);
});
process.stdout.write(`A Chatwoot double (test double, state in memory) at ${served.url}

On the orchestrator (.env, then npm start):
  CHATWOOT_PLATFORM_TOKEN=${double.platformToken}

As Acme's owner (ada), in the API reference (http://localhost:8000/api/v1/docs: Authorize, then
PUT /api/v1/modules/inbox/settings with x-tenant-id = Acme's id from GET /api/v1/tenants):
  {"enabled": true, "baseUrl": "${served.url}", "apiToken": "any", "webhookSecret": "any",
   "options": {"accountId": ${account}}}

Then Access → Sync now (or npx afenda sync --tool chatwoot) and watch Chatwoot's agents, teams
and inbox members follow Keycloak. Ctrl-C stops it.
`);
const stop = () => void served.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
