/**
 * Posts signed demo Chatwoot deliveries to a running orchestrator, as Chatwoot's account
 * webhook would: a conversation and a customer's message in it (by default for Acme).
 *
 *   npm run demo:chatwoot -- [--org acme|globex] [--message "text"] [--conversation 42]
 *                            [--label escalate] [--url http://127.0.0.1:8000]
 *
 * The secrets come from DATA_DIR/demo-chatwoot.json, written by the orchestrator's demo seed
 * (`npm start`). Bodies are built from the contract fixtures, with Rails' escaping.
 */
import { chatwootFixture, signChatwootDelivery } from '@afenda/test-utils';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { demoChatwootFile, type DemoChatwoot } from './integrations.ts';
import { demoConversation } from './payloads.ts';

const { values } = parseArgs({
  options: {
    org: { type: 'string', default: 'acme' },
    message: {
      type: 'string',
      default:
        'Hello, our payment to you failed twice and the invoice is due today. Can someone help?',
    },
    conversation: { type: 'string' },
    contact: { type: 'string', default: 'Jane Doe' },
    label: { type: 'string' },
    url: { type: 'string', default: process.env.ORCHESTRATOR_URL ?? 'http://127.0.0.1:8000' },
  },
});

/** The repository's root: DATA_DIR is relative to it, as for the orchestrator. */
const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');
const file = demoChatwootFile(path.resolve(REPO_ROOT, process.env.DATA_DIR ?? '.data'));
let demo: DemoChatwoot;
try {
  demo = JSON.parse(await readFile(file, 'utf8')) as DemoChatwoot;
} catch {
  console.error(`No demo Chatwoot secrets at ${file}: start the product first (npm start).`);
  process.exit(1);
}
const account = demo.accounts.find((a) => a.org === values.org);
if (!account) {
  console.error(
    `No demo Chatwoot account for "${values.org}" (have: ${demo.accounts.map((a) => a.org).join(', ')})`,
  );
  process.exit(1);
}
const displayId = Number(values.conversation ?? 100 + Math.floor(Math.random() * 900));
const payloads = demoConversation(
  {
    accountId: account.accountId,
    accountName: values.org,
    displayId,
    contactName: values.contact,
    message: values.message,
    labels: values.label ? [values.label] : [],
  },
  (name) => chatwootFixture(name),
);

for (const payload of payloads) {
  const { headers, body } = signChatwootDelivery({ secret: account.secret, payload });
  const res = await fetch(new URL(`/api/v1/webhooks/chatwoot`, values.url), {
    method: 'POST',
    headers,
    body,
  }).catch((err: Error) => {
    console.error(`Could not reach the orchestrator at ${values.url}: ${err.message}`);
    process.exit(1);
  });
  const answer = (await res.json()) as {
    data?: { id: string; status: string };
    error?: { message: string };
  };
  process.stdout.write(
    `${String(payload.event).padEnd(22)} → ${res.status} ${answer.data ? `${answer.data.status} (delivery ${answer.data.id})` : answer.error?.message}\n`,
  );
  if (!res.ok) process.exitCode = 1;
}
process.stdout.write(
  `\nConversation #${displayId} of Chatwoot account ${account.accountId} (${values.org}): open the Shell's Inbox.\n`,
);
