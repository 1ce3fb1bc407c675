/**
 * `afenda connect <tool> …`: each module wires its own tool (ModuleConnector in
 * packages/platform/src/module.ts); this file only finds the connector and hands it the kit
 * (the environment with .env, the database, the settings' secret box). The orchestrator names
 * no tool here: each `connect <tool>` lives in its module (modules/<tool>/server/connect-cli.ts).
 */
import type { ConnectorKit, ModuleConnector } from '@afenda/platform/module';
import { SecretBox } from '@afenda/platform/secrets';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ParseArgsOptionsConfig } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../config.ts';
import { MODULES } from '../modules.ts';
import { REPO_ROOT } from '../paths.ts';
import { settingsKey } from '../runtime.ts';
import type { Parsed } from './args.ts';
import { CliError, openDatabase, type Io } from './kit.ts';

export const CONNECTORS: ModuleConnector[] = MODULES.flatMap((m) => m.connectors ?? []);

const tools = () => CONNECTORS.map((c) => c.tool).join(', ');

/** The options of `connect <tool>`, known once the tool is. */
export function connectOptions(argv: string[]): ParseArgsOptionsConfig {
  return CONNECTORS.find((c) => c.tool === argv[0])?.options ?? {};
}

/** One line per tool (the help text indents the ones after the first). */
export const connectUsage = () =>
  CONNECTORS.map((c) => `connect ${c.tool} ${c.usage}`).join('\n  ');

/** The environment with the repository's .env under it, as `npm start` reads it. */
function cliEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  const file = path.join(REPO_ROOT, '.env');
  if (!existsSync(file)) return env;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1] && env[m[1]] === undefined) env[m[1]] = (m[2] ?? '').replace(/^["']|["']$/g, '');
  }
  return env;
}

export async function connectCommand(args: Parsed, io: Io): Promise<number> {
  const [tool, ...positionals] = args.positionals;
  const connector = CONNECTORS.find((c) => c.tool === tool);
  if (!connector)
    throw new CliError(
      tool
        ? `no tool "${tool}" to connect here (tools: ${tools()})`
        : `which tool? ${CONNECTORS.map((c) => `connect ${c.tool}`).join(', ')} (npx afenda help)`,
    );
  const env = cliEnv();
  const kit: ConnectorKit = {
    out: io.out,
    json: args.values.json === true,
    env,
    async openDatabase() {
      const config = loadConfig({ ...env, NODE_ENV: env.NODE_ENV ?? 'development' });
      const { database } = await openDatabase(2);
      try {
        const secrets = new SecretBox(await settingsKey(config, pino({ level: 'silent' })));
        return { database, secrets, publicUrl: config.PUBLIC_URL, close: () => database.close() };
      } catch (err) {
        await database.close();
        throw err;
      }
    },
  };
  try {
    return await connector.run({ values: args.values, positionals }, kit);
  } catch (err) {
    // A module's mistake (a wrong option, a refused account) in one line, its exit code kept.
    const e = err as { statusCode?: number; message?: string; exitCode?: number; code?: string };
    if (e.code || err instanceof CliError) throw err;
    throw new CliError(e.message ?? String(err), e.exitCode ?? 1);
  }
}
