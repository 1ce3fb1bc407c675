/**
 * Connecting Synapse to the orchestrator (docs/chat.md, "Connect Matrix"):
 *
 *   npm run chat -- setup [--rotate] [--out DIR] [--appservice-path PATH]
 *       writes DIR/appservice-afenda.yaml (the application-service registration) and
 *       DIR/homeserver-fragment.yaml (what homeserver.yaml needs: the registration and Keycloak
 *       sign-in), DIR = DATA_DIR/matrix (.data/matrix); prints the lines for .env. A re-run keeps
 *       the tokens (from MATRIX_AS_TOKEN / MATRIX_WEBHOOK_TOKEN, else the existing registration)
 *       unless --rotate. --appservice-path: the registration's path as Synapse sees it (in a
 *       container, say).
 *   npm run chat -- setup --check
 *       asks the homeserver (MATRIX_HOMESERVER_URL) whether it answers and knows the registration.
 *
 * Reads the environment and, like `npm start`, a .env at the repository root (the environment
 * wins). Mistakes are told in one line; the exit code is 1 (2 for a wrong command line).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkHomeserver,
  readRegistration,
  REGISTRATION_FILE,
  runSetup,
  SetupError,
  setupSettings,
} from './setup-files.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const USAGE =
  'usage: npm run chat -- setup [--check] [--rotate] [--out DIR] [--appservice-path PATH]';

const say = (line = '') => process.stdout.write(`${line}\n`);

function loadDotEnv(env: NodeJS.ProcessEnv): void {
  const file = path.join(REPO_ROOT, '.env');
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1] && env[m[1]] === undefined) env[m[1]] = (m[2] ?? '').replace(/^["']|["']$/g, '');
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        check: { type: 'boolean', default: false },
        rotate: { type: 'boolean', default: false },
        out: { type: 'string' },
        'appservice-path': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    say(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'setup') {
    console.error(USAGE);
    return 2;
  }
  if (values.check && values.rotate) {
    console.error('--check reads the registration and --rotate replaces it: pick one');
    return 2;
  }

  const env = process.env;
  loadDotEnv(env);
  const outDir = path.resolve(
    REPO_ROOT,
    values.out ?? path.join(env.DATA_DIR || '.data', 'matrix'),
  );

  if (values.check) {
    const settings = setupSettings(env);
    const registration = readRegistration(path.join(outDir, REGISTRATION_FILE));
    const asToken = env.MATRIX_AS_TOKEN || registration?.as_token;
    if (!asToken) {
      console.error(
        `no AS token: neither MATRIX_AS_TOKEN nor ${path.join(outDir, REGISTRATION_FILE)}; run npm run chat -- setup first`,
      );
      return 1;
    }
    const lines = await checkHomeserver({
      homeserverUrl: settings.homeserverUrl,
      serverName: settings.serverName,
      asToken,
      botLocalpart: settings.botLocalpart,
    });
    for (const line of lines) say(`${line.ok ? 'ok  ' : 'FAIL'} ${line.text}`);
    return lines.every((l) => l.ok) ? 0 : 1;
  }

  const result = runSetup({
    env,
    outDir,
    rotate: values.rotate,
    ...(values['appservice-path'] ? { appservicePath: values['appservice-path'] } : {}),
  });
  const rel = (f: string) => path.relative(process.cwd(), f) || f;
  for (const file of [result.registrationFile, result.fragmentFile]) {
    say(`${result.written.includes(file) ? 'wrote    ' : 'unchanged'} ${rel(file)}`);
  }
  say(
    `tokens: ${result.tokens}${values.rotate ? ' (rotated: restart Synapse and the orchestrator)' : ''}`,
  );
  say();
  say(`Synapse: add ${rel(result.fragmentFile)} to its configuration (a second --config-path, or`);
  say('copy its keys into homeserver.yaml) and restart it. Then add to .env:');
  say();
  for (const line of result.envLines) say(line);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Ordinary mistakes in one line; anything else too, without the stack.
    console.error(
      err instanceof SetupError
        ? err.message
        : `chat setup failed: ${String((err as Error)?.message ?? err)}`,
    );
    process.exitCode = 1;
  },
);
