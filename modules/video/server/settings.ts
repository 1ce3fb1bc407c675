import { createPrivateKey } from 'node:crypto';
import { httpOrigin, int, schedule, type SettingProblem } from '@afenda/platform/settings';
import { z } from 'zod';

/** A PEM RSA private key, as an environment variable may carry it (\\n for line breaks). */
function isRsaPrivateKey(value: string): boolean {
  try {
    return createPrivateKey(value.replaceAll('\\n', '\n')).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

/** Consultation rooms' environment keys (Jitsi Meet). */
export const videoSettingsSchema = z.object({
  JITSI_URL: httpOrigin.optional(),
  JITSI_APP_ID: z.string().min(1).optional(),
  JITSI_APP_SECRET: z.string().min(1).optional(),
  JITSI_JWT_ALGORITHM: z
    .enum(['HS256', 'RS256'], { error: 'must be HS256 or RS256' })
    .default('HS256'),
  JITSI_PRIVATE_KEY: z
    .string()
    .refine(isRsaPrivateKey, {
      error: 'must be a PEM RSA private key (PKCS#8 or PKCS#1; \\n for line breaks is accepted)',
    })
    .optional(),
  JITSI_KEY_ID: z.string().min(1).max(200).optional(),
  JITSI_AUDIENCE: z.string().min(1).optional(),
  JITSI_SUBJECT: z.string().min(1).optional(),
  JITSI_TOKEN_TTL_S: int(60, 86_400).default(900),
  ROOM_TTL_MINUTES: int(5, 1440).default(120),
  ROOM_EXPIRY_SCHEDULE: schedule('* * * * *'),
});

export type VideoSettings = z.infer<typeof videoSettingsSchema>;

/** Jitsi tokens need an app id and the key of the chosen algorithm, once a Jitsi URL is set. */
export function jitsiProblems(s: VideoSettings): SettingProblem[] {
  if (!s.JITSI_URL) return [];
  const problems: SettingProblem[] = [];
  if (!s.JITSI_APP_ID)
    problems.push({
      variable: 'JITSI_APP_ID',
      problem: "is required when JITSI_URL is set (prosody's app_id: the tokens' issuer)",
    });
  if (s.JITSI_JWT_ALGORITHM === 'HS256' && !s.JITSI_APP_SECRET)
    problems.push({
      variable: 'JITSI_APP_SECRET',
      problem:
        "is required when JITSI_URL is set and JITSI_JWT_ALGORITHM is HS256 (prosody's app_secret)",
    });
  // Checked only once Jitsi is on: a deployment without video may keep a placeholder.
  if (s.JITSI_JWT_ALGORITHM === 'HS256' && s.JITSI_APP_SECRET && s.JITSI_APP_SECRET.length < 32)
    problems.push({
      variable: 'JITSI_APP_SECRET',
      problem: 'must be at least 32 characters (openssl rand -hex 32)',
    });
  if (s.JITSI_JWT_ALGORITHM === 'RS256') {
    if (!s.JITSI_PRIVATE_KEY)
      problems.push({ variable: 'JITSI_PRIVATE_KEY', problem: 'is required for RS256' });
    if (!s.JITSI_KEY_ID)
      problems.push({
        variable: 'JITSI_KEY_ID',
        problem: 'is required for RS256 (prosody fetches <asap_key_server>/<sha256(kid)>.pem)',
      });
  }
  return problems;
}
