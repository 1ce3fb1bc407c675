/**
 * `afenda connect matrix [--check] [--rotate] [--out DIR] [--appservice-path PATH]`
 * (docs/chat.md, "Connect Matrix"):
 *
 *   writes DIR/appservice-afenda.yaml (the application-service registration) and
 *   DIR/homeserver-fragment.yaml (what homeserver.yaml needs: the registration, Keycloak
 *   sign-in, and the database and public URL when SYNAPSE_DATABASE_URL / SYNAPSE_PUBLIC_BASEURL
 *   are set), DIR = DATA_DIR/matrix (.data/matrix); prints the lines for .env. A re-run keeps
 *   the tokens (MATRIX_AS_TOKEN / MATRIX_WEBHOOK_TOKEN, else the existing registration) unless
 *   --rotate. --appservice-path: the registration's path as Synapse sees it (in a container).
 *   Compose's bootstrap service runs it before Synapse starts.
 *
 *   --check asks the homeserver (MATRIX_HOMESERVER_URL) whether it answers and knows the
 *   registration.
 */
import path from 'node:path';
import type { ModuleConnector } from '@afenda/platform/module';
import {
  checkHomeserver,
  readRegistration,
  REGISTRATION_FILE,
  runSetup,
  setupSettings,
} from './setup-files.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

export const matrixConnector: ModuleConnector = {
  tool: 'matrix',
  usage: '[--check] [--rotate] [--out DIR] [--appservice-path PATH]',
  summary: "Synapse's appservice registration and homeserver.yaml fragment, then --check",
  options: {
    check: { type: 'boolean', default: false },
    rotate: { type: 'boolean', default: false },
    out: { type: 'string' },
    'appservice-path': { type: 'string' },
  },
  async run({ values, positionals }, kit) {
    if (positionals.length)
      throw new Error(`connect matrix takes no words after it (${positionals.join(' ')})`);
    if (values.check && values.rotate)
      throw new Error('--check reads the registration and --rotate replaces it: pick one');
    const env = kit.env;
    const out = typeof values.out === 'string' ? values.out : undefined;
    const outDir = path.resolve(REPO_ROOT, out ?? path.join(env.DATA_DIR || '.data', 'matrix'));

    if (values.check) {
      const settings = setupSettings(env);
      const registration = readRegistration(path.join(outDir, REGISTRATION_FILE));
      const asToken = env.MATRIX_AS_TOKEN || registration?.as_token;
      if (!asToken)
        throw new Error(
          `no AS token: neither MATRIX_AS_TOKEN nor ${path.join(outDir, REGISTRATION_FILE)}; run afenda connect matrix first`,
        );
      const lines = await checkHomeserver({
        homeserverUrl: settings.homeserverUrl,
        serverName: settings.serverName,
        asToken,
        botLocalpart: settings.botLocalpart,
      });
      if (kit.json) kit.out(JSON.stringify({ ok: lines.every((l) => l.ok), lines }, null, 2));
      else for (const line of lines) kit.out(`${line.ok ? 'ok  ' : 'FAIL'} ${line.text}`);
      return lines.every((l) => l.ok) ? 0 : 1;
    }

    const appservicePath = values['appservice-path'];
    const result = runSetup({
      env,
      outDir,
      rotate: values.rotate === true,
      ...(typeof appservicePath === 'string' ? { appservicePath } : {}),
    });
    const rel = (f: string) => {
      const r = path.relative(process.cwd(), f);
      return r && !r.startsWith('..') ? r : f;
    };
    if (kit.json) {
      kit.out(
        JSON.stringify(
          {
            registrationFile: result.registrationFile,
            fragmentFile: result.fragmentFile,
            written: result.written,
            tokens: result.tokens,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    for (const file of [result.registrationFile, result.fragmentFile])
      kit.out(`${result.written.includes(file) ? 'wrote    ' : 'unchanged'} ${rel(file)}`);
    kit.out(
      `tokens: ${result.tokens}${values.rotate ? ' (rotated: restart Synapse and the orchestrator)' : ''}`,
    );
    if (result.tokens === 'environment') return 0;
    kit.out('');
    kit.out(
      `Synapse: add ${rel(result.fragmentFile)} to its configuration (a second --config-path, or`,
    );
    kit.out('copy its keys into homeserver.yaml) and restart it. Then add to .env:');
    kit.out('');
    for (const line of result.envLines) kit.out(line);
    return 0;
  },
};
