/**
 * The compose file passes every setting each module reads (deploy/compose/docker-compose.yml's
 * orchestrator service), and every service's required values are named in its .env.example:
 * a setting added to a module and forgotten in compose fails here, not on an operator's host.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MODULES } from './modules.ts';
import { REPO_ROOT } from './paths.ts';

const compose = (file: string) =>
  parse(readFileSync(path.join(REPO_ROOT, 'deploy/compose', file), 'utf8')) as {
    services: Record<string, { environment?: Record<string, string>; image?: string }>;
  };

/** Module settings compose leaves out on purpose, and why. */
const NOT_IN_COMPOSE: Record<string, string> = {
  // Per organisation, from the App registry (module settings in the database), not the env.
  CHATWOOT_URL: 'development fallback for the demo organisation',
  CHATWOOT_API_TOKEN: 'development fallback for the demo organisation',
  CHATWOOT_ACCOUNT_ID: 'development fallback for the demo organisation',
  CHATWOOT_WEBHOOK_SECRET: 'development fallback for the demo organisation',
  CHATWOOT_ALLOW_UNSIGNED: 'development only: production refuses to start with it',
};

describe('deploy/compose passes what the modules read', () => {
  const orchestrator = compose('docker-compose.yml').services.orchestrator!;
  const passed = new Set(Object.keys(orchestrator.environment ?? {}));

  it("every module setting is in the orchestrator service's environment (or left out with a reason)", () => {
    const missing = MODULES.flatMap((m) =>
      Object.keys(m.settings.shape)
        .filter((key) => !passed.has(key) && !(key in NOT_IN_COMPOSE))
        .map((key) => `${m.manifest.id}: ${key}`),
    );
    expect(missing).toEqual([]);
  });

  it('Team chat: the orchestrator and matrix-setup share the tokens; Synapse reads what matrix-setup wrote', () => {
    const tools = compose('docker-compose.tools.yml').services;
    const env = orchestrator.environment!;
    expect(env.MATRIX_AS_TOKEN).toBe('${MATRIX_AS_TOKEN:-}');
    expect(env.MATRIX_HOMESERVER_URL).toBe('${MATRIX_AS_TOKEN:+http://synapse:8008}');
    const setup = tools['matrix-setup']! as {
      environment: Record<string, string>;
      entrypoint: string[];
    };
    expect(setup.environment.MATRIX_AS_TOKEN).toMatch(/^\$\{MATRIX_AS_TOKEN:\?/);
    expect(setup.environment.MATRIX_WEBHOOK_TOKEN).toMatch(/^\$\{MATRIX_WEBHOOK_TOKEN:\?/);
    expect(setup.entrypoint.join(' ')).toContain('connect matrix --out /data/afenda');
    const synapse = tools.synapse! as { command: string[] };
    expect(synapse.command).toContain('--config-path=/data/afenda/homeserver-fragment.yaml');
  });

  it('Jitsi: a pinned image tag that ships the moderator module, switched on with auto-owner off', () => {
    const tools = compose('docker-compose.tools.yml').services;
    const prosody = tools['jitsi-prosody']! as {
      image: string;
      environment: Record<string, string>;
    };
    const tag = /:\$\{JITSI_IMAGE_VERSION:-stable-(\d+)(-\d+)?\}$/.exec(prosody.image);
    // stable-9457 (April 2024) is the first with jitsi-contrib's plugins under
    // /prosody-plugins-contrib, where token_affiliation/mod_token_affiliation.lua loads from.
    expect(Number(tag?.[1])).toBeGreaterThanOrEqual(9457);
    expect(prosody.environment.XMPP_MUC_MODULES).toContain('token_affiliation');
    expect(prosody.environment.ENABLE_AUTO_OWNER).toBe('0');
    const example = readFileSync(path.join(REPO_ROOT, 'deploy/compose/.env.example'), 'utf8');
    expect(example).toMatch(/^JITSI_IMAGE_VERSION=stable-\d+/m);
  });
});
