import { SignJWT } from 'jose';
import { createPrivateKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { VideoSettings } from './settings.ts';

/**
 * Per-user Jitsi Meet tokens, in the shape prosody's token authentication accepts
 * (docs/video.md, "Tokens"; examples in packages/test-utils/contracts/jitsi/): header typ "JWT", alg as configured (kid for RS256);
 * iss = app id, aud a single string, sub, room, nbf back-dated (prosody has no leeway), exp never
 * past the room's expiry; context.user values are strings only, and the moderator flag is set
 * for the room's moderator alone (mod_token_affiliation honours it; see docs/video.md).
 */
export interface JitsiSigner {
  /** JITSI_URL without a trailing slash. */
  url: string;
  /** host[:port][/path]: what JitsiMeetExternalAPI takes as its domain. */
  domain: string;
  sign(input: JitsiTokenInput): Promise<{ token: string; expiresAt: Date }>;
}

export interface JitsiTokenInput {
  roomName: string;
  roomExpiresAt: Date;
  tenantId: string;
  user: { id: string; name: string; email: string | null };
  moderator: boolean;
  now?: Date;
}

/** Seconds nbf is back-dated by: prosody rejects now < nbf with no clock-skew leeway. */
export const NBF_BACKDATE_S = 10;

/** Consultation rooms: no recording, streaming, transcription or dial-out; screen sharing on. */
export const ROOM_FEATURES = {
  recording: 'false',
  livestreaming: 'false',
  transcription: 'false',
  'screen-sharing': 'true',
  'outbound-call': 'false',
} as const;

type JitsiConfig = Pick<
  VideoSettings,
  | 'JITSI_URL'
  | 'JITSI_APP_ID'
  | 'JITSI_APP_SECRET'
  | 'JITSI_JWT_ALGORITHM'
  | 'JITSI_PRIVATE_KEY'
  | 'JITSI_KEY_ID'
  | 'JITSI_AUDIENCE'
  | 'JITSI_SUBJECT'
  | 'JITSI_TOKEN_TTL_S'
>;

/** The signer for the configured deployment, or null when JITSI_URL is not set. */
export function createJitsiSigner(config: JitsiConfig): JitsiSigner | null {
  if (!config.JITSI_URL || !config.JITSI_APP_ID) return null;
  const url = config.JITSI_URL.replace(/\/+$/, '');
  const parsed = new URL(url);
  const domain = `${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  const appId = config.JITSI_APP_ID;
  const audience = config.JITSI_AUDIENCE ?? appId;
  const subject = config.JITSI_SUBJECT ?? parsed.hostname;
  const alg = config.JITSI_JWT_ALGORITHM;
  let key: KeyObject;
  if (alg === 'RS256') {
    if (!config.JITSI_PRIVATE_KEY || !config.JITSI_KEY_ID)
      throw new Error('RS256 needs JITSI_PRIVATE_KEY and JITSI_KEY_ID');
    key = createPrivateKey(config.JITSI_PRIVATE_KEY.replaceAll('\\n', '\n'));
    if (key.asymmetricKeyType !== 'rsa') throw new Error('JITSI_PRIVATE_KEY must be an RSA key');
  } else {
    if (!config.JITSI_APP_SECRET) throw new Error('HS256 needs JITSI_APP_SECRET');
    key = createSecretKey(Buffer.from(config.JITSI_APP_SECRET, 'utf8'));
  }
  const header =
    alg === 'RS256' ? { alg, typ: 'JWT', kid: config.JITSI_KEY_ID as string } : { alg, typ: 'JWT' };

  return {
    url,
    domain,
    async sign(input) {
      const nowS = Math.floor((input.now ?? new Date()).getTime() / 1000);
      const roomExpS = Math.floor(input.roomExpiresAt.getTime() / 1000);
      const exp = Math.min(roomExpS, nowS + config.JITSI_TOKEN_TTL_S);
      const user: Record<string, string> = { id: input.user.id, name: input.user.name };
      if (input.user.email) user.email = input.user.email;
      // Only the moderator carries the flag: mod_token_affiliation makes everyone else a member.
      if (input.moderator) Object.assign(user, { moderator: 'true', affiliation: 'owner' });
      const token = await new SignJWT({
        room: input.roomName,
        context: { user, group: input.tenantId, features: { ...ROOM_FEATURES } },
      })
        .setProtectedHeader(header)
        .setIssuer(appId)
        .setAudience(audience)
        .setSubject(subject)
        .setIssuedAt(nowS)
        .setNotBefore(nowS - NBF_BACKDATE_S)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
  };
}
