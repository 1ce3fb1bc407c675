/**
 * `afenda realm apply | export`: the realm as code (domain/identity/realm-apply.ts). Apply
 * needs Keycloak's root URL and a master-realm administrator, from the environment:
 * KEYCLOAK_URL (or derived from KEYCLOAK_ISSUER), KEYCLOAK_ADMIN_USERNAME, KEYCLOAK_ADMIN_PASSWORD.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { applyRealm, realmToApply, type RealmChange } from '../domain/identity/realm-apply.ts';
import { REPO_ROOT } from '../paths.ts';
import type { Parsed } from './args.ts';
import { CliError, print, type Io } from './kit.ts';

export const realmOptions = {
  demo: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  file: { type: 'string' },
} as const;

const DEFAULT_FILE = path.join(REPO_ROOT, 'deploy/keycloak/realm-afenda.json');

function readRealm(file: string): Record<string, never> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`no realm file at ${file} (--file names another)`);
  }
  try {
    const realm = JSON.parse(text) as unknown;
    if (!realm || typeof realm !== 'object' || Array.isArray(realm) || !('realm' in realm))
      throw new Error('not a realm');
    return realm as Record<string, never>;
  } catch {
    throw new CliError(`${file} is not a realm export (JSON with a "realm" name)`);
  }
}

/** Keycloak's root URL: KEYCLOAK_URL, or KEYCLOAK_ISSUER without its /realms/<name>. */
export function keycloakUrl(env: NodeJS.ProcessEnv): string {
  const url =
    env.KEYCLOAK_URL?.trim() || env.KEYCLOAK_ISSUER?.trim().replace(/\/realms\/[^/]+\/?$/, '');
  if (!url)
    throw new CliError(
      'set KEYCLOAK_URL (Keycloak’s address, e.g. https://id.example.com) or KEYCLOAK_ISSUER',
    );
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new CliError(`KEYCLOAK_URL is not an http(s) URL: "${url}"`);
  return url;
}

export async function realmCommand(args: Parsed, io: Io): Promise<number> {
  const [sub] = args.positionals;
  const file = typeof args.values.file === 'string' ? path.resolve(args.values.file) : DEFAULT_FILE;
  const demo = args.values.demo === true;
  if (sub === 'export') {
    io.out(JSON.stringify(realmToApply(readRealm(file), { env: process.env, demo }), null, 2));
    return 0;
  }
  if (sub !== 'apply')
    throw new CliError(
      'usage: realm apply [--demo] [--dry-run] [--file f] | realm export [--demo]',
    );
  const url = keycloakUrl(process.env);
  const username = process.env.KEYCLOAK_ADMIN_USERNAME?.trim();
  const password = process.env.KEYCLOAK_ADMIN_PASSWORD;
  if (!username || !password)
    throw new CliError(
      'set KEYCLOAK_ADMIN_USERNAME and KEYCLOAK_ADMIN_PASSWORD (an administrator of the master realm)',
    );
  let changes: RealmChange[];
  try {
    changes = await applyRealm({
      url,
      admin: { username, password },
      realm: readRealm(file),
      demo,
      dryRun: args.values['dry-run'] === true,
    });
  } catch (err) {
    const e = err as {
      response?: { status?: number };
      message?: string;
      cause?: { code?: string };
    };
    const status = e.response?.status;
    if (status === 401)
      throw new CliError(
        `Keycloak at ${url} refused the administrator ${username} (401): check KEYCLOAK_ADMIN_USERNAME and KEYCLOAK_ADMIN_PASSWORD`,
      );
    if (e.cause?.code === 'ECONNREFUSED' || /fetch failed/.test(e.message ?? ''))
      throw new CliError(
        `Keycloak does not answer at ${url}: is it running, and is KEYCLOAK_URL right?`,
      );
    throw new CliError(
      `Keycloak answered ${status ?? 'with an error'}: ${(e.message ?? '').split('\n')[0]}`,
    );
  }
  print(io, args.values.json === true, changes, [
    { label: 'KIND', value: (c) => c.kind },
    { label: 'NAME', value: (c) => c.name },
    {
      label: 'ACTION',
      value: (c) =>
        args.values['dry-run'] && c.action !== 'unchanged' ? `would be ${c.action}` : c.action,
    },
    { label: 'WHAT', value: (c) => c.fields?.join(', ') || '' },
  ]);
  return 0;
}
