/**
 * What a server-side session holds, the session id, and how the data is kept at rest.
 *
 * The browser's cookie holds only the session id: 32 random bytes, base64url. Stores index the
 * session by SHA-256 of the id and keep the data sealed (AES-256-GCM) under a key derived from
 * the id, so a copy of the session table (or of Redis) opens no session and reveals no token:
 * only whoever holds the cookie can find the row and read it.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

export const sessionDataSchema = z.object({
  /** The user's subject at the provider (Keycloak user id). */
  subject: z.string().min(1),
  /** The provider's session id (`sid`): back-channel logout names it. */
  sid: z.string().min(1).nullable(),
  username: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  accessToken: z.string().min(1),
  /** Epoch milliseconds. */
  accessTokenExpiresAt: z.number(),
  refreshToken: z.string().min(1).nullable(),
  idToken: z.string().min(1).nullable(),
  /** Epoch milliseconds. */
  createdAt: z.number(),
});
export type SessionData = z.infer<typeof sessionDataSchema>;

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh session id: 32 random bytes, base64url (43 characters). */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether a cookie value has the shape of a session id (saves a store round trip otherwise). */
export function isSessionId(value: string | undefined | null): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** The index under which a session is stored: hex SHA-256 of its id. */
export function hashSessionId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

export interface SealedSessionData {
  v: 1;
  iv: string;
  ct: string;
  tag: string;
}

const sealedSchema = z.object({
  v: z.literal(1),
  iv: z.string(),
  ct: z.string(),
  tag: z.string(),
});

function dataKey(id: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(id, 'utf8'), 'afenda-shell-session', 'session data v1', 32),
  );
}

/** Encrypt session data under a key derived from the session id; the id hash is the AAD. */
export function sealSessionData(id: string, data: SessionData): SealedSessionData {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey(id), iv);
  cipher.setAAD(Buffer.from(hashSessionId(id), 'utf8'));
  const ct = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
  return {
    v: 1,
    iv: iv.toString('base64url'),
    ct: ct.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

/** Decrypt and validate; undefined when it does not open with this id or is malformed. */
export function openSessionData(id: string, sealed: unknown): SessionData | undefined {
  const box = sealedSchema.safeParse(sealed);
  if (!box.success) return undefined;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      dataKey(id),
      Buffer.from(box.data.iv, 'base64url'),
    );
    decipher.setAAD(Buffer.from(hashSessionId(id), 'utf8'));
    decipher.setAuthTag(Buffer.from(box.data.tag, 'base64url'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(box.data.ct, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
    const data = sessionDataSchema.safeParse(JSON.parse(plain));
    return data.success ? data.data : undefined;
  } catch {
    return undefined;
  }
}
