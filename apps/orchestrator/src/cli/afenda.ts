/**
 * The operator's command line, one name for everything (docs/operations.md, "The afenda
 * command"):
 *
 *   npx afenda <command> [options]        (or: npm run afenda -- <command> [options])
 *
 * Human output by default, `--json` for machines. Every ordinary mistake (no database, a wrong
 * option, an unknown id) is answered in one line on stderr that says what to do, exit 1; no
 * stack traces. Connects as the application role: DATABASE_URL, or the embedded default's state
 * under DATA_DIR.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import { parse, type Parsed } from './args.ts';
import { ledgerCommand, statusCommand } from './checks.ts';
import { explain, isMain, processIo, type Io } from './kit.ts';
import { migrateCommand } from './migrate.ts';
import { platformCommand } from './platform.ts';
import { realmCommand, realmOptions } from './realm.ts';
import { connectCommand, connectOptions, connectUsage, CONNECTORS } from './connect.ts';
import { syncCommand, syncOptions } from './sync.ts';
import { outboundCommand, webhooksCommand } from './work.ts';

interface Command {
  usage: string;
  summary: string;
  /** Its options, or (connect) a function of the words after the command. */
  options: ParseArgsOptionsConfig | ((argv: string[]) => ParseArgsOptionsConfig);
  run(args: Parsed, io: Io): Promise<number>;
}

const listOptions = {
  status: { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean', default: false },
} as const;

export const COMMANDS: Record<string, Command> = {
  status: {
    usage: 'status',
    summary: 'the database, its schema, waiting work, the queue, the last sync of each source',
    options: {},
    run: statusCommand,
  },
  migrate: {
    usage: 'migrate',
    summary: 'apply the migrations (DATABASE_ADMIN_URL)',
    options: {},
    run: migrateCommand,
  },
  sync: {
    usage: 'sync [--tool t] [--user u] [--org o] [--dry-run]',
    summary: 'Keycloak → the tools now; --dry-run prints the plan',
    options: syncOptions,
    run: syncCommand,
  },
  webhooks: {
    usage: 'webhooks list [--status s] [--limit n] | dead-letters | replay <id…> | replay --all',
    summary: 'stored webhook deliveries, dead letters, replay',
    options: listOptions,
    run: webhooksCommand,
  },
  outbound: {
    usage: 'outbound list [--status s] [--limit n] | dead-letters | replay <id…> | replay --all',
    summary: 'calls into the tools, dead letters, replay',
    options: listOptions,
    run: outboundCommand,
  },
  ledger: {
    usage: 'ledger verify <tenant id or slug>',
    summary: "check a tenant's approval ledger (exit 2 when broken)",
    options: {},
    run: ledgerCommand,
  },
  connect: {
    usage: connectUsage(),
    summary: `wire a tool in one step (${CONNECTORS.map((c) => `${c.tool}: ${c.summary}`).join('; ')})`,
    options: connectOptions,
    run: connectCommand,
  },
  realm: {
    usage: 'realm apply [--demo] [--dry-run] [--file f] | realm export [--demo]',
    summary: 'the Keycloak realm as code: apply the file again (created, updated, unchanged)',
    options: realmOptions,
    run: realmCommand,
  },
  platform: {
    usage: 'platform describe | run <job id>',
    summary: 'what is registered; queue a periodic job now',
    options: {},
    run: platformCommand,
  },
};

export function help(): string[] {
  return [
    'usage: afenda <command> [options] [--json]',
    '',
    ...Object.values(COMMANDS).flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    '',
    'Connects with DATABASE_URL, or to the embedded database of `npm start` (DATA_DIR).',
  ];
}

/** Runs one command line; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    for (const line of help()) (name ? io.out : io.err)(line);
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`afenda: no command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return 1;
  }
  try {
    const options = typeof command.options === 'function' ? command.options(rest) : command.options;
    return await command.run(parse(rest, options), io);
  } catch (err) {
    const exitCode = (err as { exitCode?: unknown }).exitCode;
    io.err(`afenda ${name}: ${explain(err)}`);
    return typeof exitCode === 'number' ? exitCode : 1;
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await runCli(process.argv.slice(2));
}
