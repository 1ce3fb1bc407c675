/**
 * A real Synapse for tests: a throw-away homeserver per suite from scripts/synapse.mjs (one
 * implementation; docs/chat.md), plus the shared-secret registration of users and a tiny typed
 * client for the few calls the tests make as a person.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @ts-expect-error -- a plain Node ESM script with no declarations; typed by SynapseScript below
import * as untypedScript from '../../../scripts/synapse.mjs';

interface LaunchedSynapse {
  url: string;
  port: number;
  serverName: string;
  sharedSecret: string;
  version: string;
  dir: string;
  logFile: string;
  pid: number;
  readySeconds: number;
  stop(): Promise<void>;
}

interface SynapseScript {
  DEFAULT_VERSION: string;
  launchSynapse(options: {
    dir?: string;
    ephemeral?: boolean;
    port?: number;
    serverName?: string;
    appservices?: unknown[];
    oidcProviders?: unknown[];
    extra?: Record<string, unknown>;
    log?: (line: string) => void;
  }): Promise<LaunchedSynapse>;
  listenablePort(port?: number): Promise<number>;
  tailFile(file: string, lines?: number): string;
}

const script = untypedScript as SynapseScript;
export const DEFAULT_SYNAPSE_VERSION = script.DEFAULT_VERSION;
export const freePort = script.listenablePort;
export const tailFile = script.tailFile;

export interface SynapseServer extends LaunchedSynapse {
  /** Registers a user through the shared secret; returns their access token. */
  register(username: string, options?: { admin?: boolean; password?: string }): Promise<MatrixUser>;
}

export interface MatrixUser {
  userId: string;
  accessToken: string;
  /** A client-server call as this user; throws with Synapse's errcode on a non-2xx. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
}

export class MatrixCallError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
  ) {
    super(`${status} ${errcode}: ${message}`);
  }
}

export async function matrixCall<T>(
  baseUrl: string,
  token: string | null,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    throw new MatrixCallError(
      res.status,
      String(json.errcode ?? 'M_UNKNOWN'),
      String(json.error ?? res.statusText),
    );
  }
  return json as T;
}

/** Starts a throw-away homeserver (removed by stop()); fails with Synapse's log if it can't. */
export async function startSynapse(
  options: {
    /** Default 0: a free one. Known in advance when the IdP must know Synapse's callback URL. */
    port?: number;
    serverName?: string;
    appservices?: unknown[];
    oidcProviders?: unknown[];
    extra?: Record<string, unknown>;
  } = {},
): Promise<SynapseServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'afenda-synapse-'));
  const launched = await script.launchSynapse({ ...options, dir, ephemeral: true });
  const userOf = (userId: string, accessToken: string): MatrixUser => ({
    userId,
    accessToken,
    call: (method, p, body) => matrixCall(launched.url, accessToken, method, p, body),
  });
  return {
    ...launched,
    async register(username, { admin = false, password = `pw-${username}-0123456789` } = {}) {
      const { nonce } = await matrixCall<{ nonce: string }>(
        launched.url,
        null,
        'GET',
        '/_synapse/admin/v1/register',
      );
      const mac = createHmac('sha1', launched.sharedSecret)
        .update([nonce, username, password, admin ? 'admin' : 'notadmin'].join('\x00'))
        .digest('hex');
      const r = await matrixCall<{ user_id: string; access_token: string }>(
        launched.url,
        null,
        'POST',
        '/_synapse/admin/v1/register',
        { nonce, username, password, admin, mac },
      );
      return userOf(r.user_id, r.access_token);
    },
  };
}
