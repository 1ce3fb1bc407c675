/**
 * The provider's token signing key: one RS256 key pair, generated at the first start and kept
 * in a JWKS file (mode 0600) so that tokens issued before a restart still verify after it. Without
 * a file the key lives in memory for the life of the process.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface SigningKey {
  /** The private JWK, with kid, alg (RS256) and use (sig). */
  jwk: JWK & { kid: string };
  /** What happened to the file: read, created, or read and narrowed to 0600. */
  source: 'memory' | 'created' | 'read' | 'read-permissions-fixed';
}

async function generate(): Promise<JWK & { kid: string }> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n, e: jwk.e });
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

function parse(text: string, file: string): JWK & { kid: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`the signing key file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const key = (doc as { keys?: unknown[] } | null)?.keys?.[0] as JWK | undefined;
  if (
    !key ||
    key.kty !== 'RSA' ||
    typeof key.n !== 'string' ||
    typeof key.e !== 'string' ||
    typeof key.d !== 'string' ||
    typeof key.kid !== 'string' ||
    (key.alg !== undefined && key.alg !== 'RS256')
  ) {
    throw new Error(
      `the signing key file ${file} does not hold an RS256 private key as {"keys":[{kty:"RSA",kid,n,e,d,...}]}; delete it to generate a new one`,
    );
  }
  return { ...key, kid: key.kid, alg: 'RS256', use: 'sig' };
}

export async function loadOrCreateSigningKey(file?: string): Promise<SigningKey> {
  if (!file) return { jwk: await generate(), source: 'memory' };
  try {
    const jwk = parse(await readFile(file, 'utf8'), file);
    const { mode } = await stat(file);
    if (mode & 0o077) {
      await chmod(file, 0o600);
      return { jwk, source: 'read-permissions-fixed' };
    }
    return { jwk, source: 'read' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const jwk = await generate();
  try {
    await writeFile(file, `${JSON.stringify({ keys: [jwk] }, null, 2)}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSigningKey(file);
    throw err;
  }
  return { jwk, source: 'created' };
}

/** The public half, as published at the JWKS endpoint. */
export function publicJwk(jwk: JWK & { kid: string }): JWK & { kid: string } {
  const { kty, n, e, kid, alg, use } = jwk;
  return { kty, n, e, kid, alg, use };
}
