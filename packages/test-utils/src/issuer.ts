import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyObject } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/**
 * A stand-in OpenID issuer at the network boundary, for unit tests of token verification:
 * serves a discovery document and a JWKS, and mints tokens with any claims, key or algorithm
 * (including wrong ones). Integration tests use the real providers instead.
 */
export interface TestIssuer {
  issuer: string;
  /** Mints an access token shaped like Keycloak's, signed by the published key. */
  token(
    claims?: Partial<JWTPayload> & Record<string, unknown>,
    options?: { kid?: string; key?: KeyObject; alg?: string; typ?: string },
  ): Promise<string>;
  publicJwk: Record<string, unknown>;
  jwksRequests: number;
  close(): Promise<void>;
}

export async function startTestIssuer(realm = 'afenda'): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = {
    ...(await exportJWK(publicKey)),
    kid: 'test-key-1',
    alg: 'RS256',
    use: 'sig',
  };
  let issuer = '';
  const state = { jwksRequests: 0 };
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === `/realms/${realm}/.well-known/openid-configuration`) {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs` }));
    } else if (req.url === `/realms/${realm}/protocol/openid-connect/certs`) {
      state.jwksRequests += 1;
      res.end(JSON.stringify({ keys: [publicJwk] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  issuer = `http://127.0.0.1:${port}/realms/${realm}`;
  return {
    issuer,
    publicJwk,
    get jwksRequests() {
      return state.jwksRequests;
    },
    async token(claims = {}, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        iss: issuer,
        aud: ['afenda-orchestrator', 'account'],
        azp: 'afenda-shell',
        typ: 'Bearer',
        iat: now,
        exp: now + 300,
        jti: randomUUID(),
        sid: randomUUID(),
        ...claims,
      };
      const alg = options.alg ?? 'RS256';
      return new SignJWT(payload as JWTPayload)
        .setProtectedHeader({ alg, typ: options.typ ?? 'JWT', kid: options.kid ?? 'test-key-1' })
        .sign(options.key ?? privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
