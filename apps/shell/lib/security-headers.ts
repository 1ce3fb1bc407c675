/**
 * The Shell's security headers, built in one place for the proxy (proxy.ts), which sets them on
 * every page and route: a Content-Security-Policy with a per-request nonce for Next.js's scripts,
 * framing refused (except the Chatwoot Dashboard App page, for its configured origins), nosniff,
 * a referrer policy, a permissions policy and HSTS behind TLS. docs/shell.md explains each source.
 *
 * No imports: the proxy loads this on every request.
 */

export interface HeaderSettings {
  production: boolean;
  /** Origins the browser opens connections to besides the Shell: the orchestrator, http and ws. */
  connectOrigins: string[];
  /** Jitsi's origin (JITSI_URL), when the Shell is told it: its script and the call's devices. */
  jitsiOrigin: string | undefined;
  /** The identity provider's origin: sign-out posts a form that ends there. */
  issuerOrigin: string | undefined;
  /** CHATWOOT_DASHBOARD_ORIGINS: the only sites that may frame /chatwoot/dashboard-app. */
  dashboardOrigins: string[];
}

const ORIGIN = /^https?:\/\/[^\s/;,'"()]+$/;

/** The origin of an http(s) URL, or undefined when unset or not one. */
function originOf(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v || !URL.canParse(v)) return undefined;
  const origin = new URL(v).origin;
  return ORIGIN.test(origin) ? origin : undefined;
}

/** The settings, read from the environment (at run time, like the rest of the Shell's). */
export function readHeaderSettings(
  env: Record<string, string | undefined> = process.env,
): HeaderSettings {
  // Where the browser reaches the orchestrator: its PUBLIC_URL (the whiteboards' sync socket is
  // built from it), else ORCHESTRATOR_URL (the same in development).
  const orchestrator = originOf(env.PUBLIC_URL) ?? originOf(env.ORCHESTRATOR_URL);
  const connectOrigins = orchestrator ? [orchestrator, orchestrator.replace(/^http/, 'ws')] : [];
  return {
    production: env.NODE_ENV === 'production',
    connectOrigins,
    jitsiOrigin: originOf(env.JITSI_URL),
    issuerOrigin: originOf(env.OIDC_ISSUER) ?? 'http://localhost:8080',
    dashboardOrigins: (env.CHATWOOT_DASHBOARD_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter((o) => ORIGIN.test(o)),
  };
}

/** A fresh nonce: 128 random bits, base64. */
export function createNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

export const DASHBOARD_APP_PREFIX = '/chatwoot/';

const unique = (values: (string | undefined | false)[]): string[] => [
  ...new Set(values.filter((v): v is string => Boolean(v))),
];

/** The Content-Security-Policy for a page at `pathname`. */
export function contentSecurityPolicy(options: {
  nonce: string;
  pathname: string;
  https: boolean;
  settings: HeaderSettings;
}): string {
  const { nonce, pathname, https, settings: s } = options;
  const dashboardApp = pathname.startsWith(DASHBOARD_APP_PREFIX);
  const frameAncestors =
    dashboardApp && s.dashboardOrigins.length ? s.dashboardOrigins : ["'none'"];
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    // Next.js puts the nonce on its own scripts; 'strict-dynamic' lets the scripts they load run
    // (next/script's Jitsi external_api.js). The Jitsi origin is for browsers without it.
    // React's development build needs eval (never in production).
    'script-src': unique([
      "'self'",
      `'nonce-${nonce}'`,
      "'strict-dynamic'",
      s.jitsiOrigin,
      !s.production && "'unsafe-eval'",
    ]),
    // tldraw and the UI kit set inline styles (docs/decisions.md).
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'blob:', 'data:'],
    'font-src': ["'self'", 'data:'],
    'media-src': ["'self'", 'blob:', 'data:'],
    'worker-src': ["'self'", 'blob:'],
    // The provider too: a client navigation whose session is gone follows the sign-in redirect.
    'connect-src': unique(["'self'", ...s.connectOrigins, s.issuerOrigin]),
    // The tools' own UIs are framed from each tenant's configured base URL (and Jitsi's): not
    // known per process, so any http(s) site; what may run inside is the frame's own business.
    'frame-src': ["'self'", 'https:', 'http:'],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': unique(["'self'", s.issuerOrigin]),
    'frame-ancestors': frameAncestors,
  };
  const policy = Object.entries(directives).map(([name, values]) => `${name} ${values.join(' ')}`);
  if (https) policy.push('upgrade-insecure-requests');
  return policy.join('; ');
}

/** Browser features: those the Jitsi call needs for its origin, nothing else for anyone. */
export function permissionsPolicy(settings: HeaderSettings): string {
  const jitsi = settings.jitsiOrigin ? ` "${settings.jitsiOrigin}"` : '';
  const features = [
    'accelerometer=()',
    'geolocation=()',
    'gyroscope=()',
    'magnetometer=()',
    'payment=()',
    'usb=()',
    'serial=()',
    'bluetooth=()',
    'browsing-topics=()',
    `fullscreen=(self${jitsi})`,
  ];
  // The call's devices: for the page and Jitsi's frame when the Shell knows Jitsi's origin;
  // otherwise left to the browser's default (this page, and frames it delegates to with allow=).
  if (jitsi) {
    for (const f of ['camera', 'microphone', 'display-capture', 'autoplay', 'clipboard-write'])
      features.push(`${f}=(self${jitsi})`);
  }
  return features.join(', ');
}

/** Every header for a response to `pathname`; `https` when the request came over TLS. */
export function securityHeaders(options: {
  nonce: string;
  pathname: string;
  https: boolean;
  settings: HeaderSettings;
}): Record<string, string> {
  const headers: Record<string, string> = {
    'content-security-policy': contentSecurityPolicy(options),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'permissions-policy': permissionsPolicy(options.settings),
  };
  const framable =
    options.pathname.startsWith(DASHBOARD_APP_PREFIX) &&
    options.settings.dashboardOrigins.length > 0;
  if (!framable) headers['x-frame-options'] = 'DENY';
  if (options.https) headers['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
  return headers;
}

/** Did the request come over TLS (directly, or as the proxy in front says)? */
export function cameOverTls(url: URL, forwardedProto: string | null): boolean {
  const proto = forwardedProto?.split(',')[0]?.trim().toLowerCase();
  return proto ? proto === 'https' : url.protocol === 'https:';
}
