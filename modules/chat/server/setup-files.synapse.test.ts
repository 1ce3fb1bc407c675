/**
 * docs/chat.md's development path against a real Synapse (collected with TEST_SYNAPSE=1; fails,
 * never skips, when Synapse cannot start): `npx afenda connect matrix`, then
 * `node scripts/synapse.mjs start` with what it wrote, and `npx afenda connect matrix --check` finds
 * the homeserver and the registration loaded in it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'afenda-chat-setup-synapse-'));
const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  MATRIX_SERVER_NAME: 'afenda.test',
  SYNAPSE_PORT: '0',
  SYNAPSE_DEV_DIR: path.join(dir, 'dev'),
  SYNAPSE_APPSERVICE_FILE: path.join(dir, 'matrix', 'appservice-afenda.yaml'),
  SYNAPSE_FRAGMENT_FILE: path.join(dir, 'matrix', 'homeserver-fragment.yaml'),
  // Nothing answers there: the homeserver starts without sign-in through it, and says so.
  DEV_IDP_PUBLIC_URL: 'http://127.0.0.1:9',
};
const node = (args: string[], extra: Record<string, string> = {}) =>
  spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...env, ...extra },
    timeout: 120_000,
  });
const chat = (args: string[], extra: Record<string, string> = {}) =>
  node(
    [
      'apps/orchestrator/bin/afenda.mjs',
      'connect',
      'matrix',
      '--out',
      path.join(dir, 'matrix'),
      ...args,
    ],
    extra,
  );

/** `node scripts/synapse.mjs status` exits 0 while the development homeserver runs. */
const running = () => node(['scripts/synapse.mjs', 'status']).status === 0;

describe(
  'npx afenda connect matrix, then node scripts/synapse.mjs start',
  { timeout: 90_000 },
  () => {
    let url = '';
    let pid = 0;

    beforeAll(() => {
      const setup = chat([]);
      expect(setup.status, setup.stderr).toBe(0);
      const started = node(['scripts/synapse.mjs', 'start']);
      if (started.status !== 0) {
        throw new Error(
          `node scripts/synapse.mjs start failed (${started.status}):\n${started.stderr}`,
        );
      }
      url = started.stdout.trim();
      expect(started.stderr).toContain('does not answer: no sign-in through Keycloak');
      pid = (
        JSON.parse(readFileSync(path.join(dir, 'dev', 'state.json'), 'utf8')) as { pid: number }
      ).pid;
    }, 120_000);

    afterAll(async () => {
      if (pid && running()) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('--check finds the homeserver and the registration loaded in it', () => {
      const r = chat(['--check'], { MATRIX_HOMESERVER_URL: url });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(`^ok   ${url} is a Matrix homeserver \\(spec v1\\.\\d+\\)$`),
        ),
        'ok   the registration is loaded: the AS token acts as @afenda:afenda.test',
      ]);
      expect(r.status).toBe(0);
    });

    it('--check tells an AS token the homeserver does not know', () => {
      const r = chat(['--check'], {
        MATRIX_HOMESERVER_URL: url,
        MATRIX_AS_TOKEN: 'not-the-registered-token-0123456789',
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(
        'FAIL the homeserver does not know the AS token: add homeserver-fragment.yaml to its configuration and restart it',
      );
    });

    it('stop ends the development homeserver', async () => {
      expect(running()).toBe(true);
      const r = node(['scripts/synapse.mjs', 'stop']);
      expect(r.status).toBe(0);
      for (let i = 0; i < 100 && running(); i++) await sleep(100);
      expect(running()).toBe(false);
      expect(existsSync(path.join(dir, 'dev', 'homeserver.db'))).toBe(true);
    });
  },
);
