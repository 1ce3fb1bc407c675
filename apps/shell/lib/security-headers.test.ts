import { describe, expect, it } from 'vitest';

import {
  cameOverTls,
  contentSecurityPolicy,
  createNonce,
  readHeaderSettings,
  securityHeaders,
} from './security-headers';

const directives = (csp: string) =>
  Object.fromEntries(
    csp.split('; ').map((d) => {
      const [name, ...values] = d.split(' ');
      return [name, values];
    }),
  );

const settings = readHeaderSettings({
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://api.afenda.example/',
  ORCHESTRATOR_URL: 'http://orchestrator:8000',
  JITSI_URL: 'https://meet.example',
  OIDC_ISSUER: 'https://sso.example/realms/afenda',
  CHATWOOT_DASHBOARD_ORIGINS: 'https://chat.example, javascript:alert(1) ,http://cw.local:3000',
});

describe('readHeaderSettings', () => {
  it('reads the origins the browser reaches, ignoring what is not an origin', () => {
    expect(settings).toEqual({
      production: true,
      connectOrigins: ['https://api.afenda.example', 'wss://api.afenda.example'],
      jitsiOrigin: 'https://meet.example',
      issuerOrigin: 'https://sso.example',
      dashboardOrigins: ['https://chat.example', 'http://cw.local:3000'],
    });
    expect(readHeaderSettings({ ORCHESTRATOR_URL: 'http://127.0.0.1:8000' })).toMatchObject({
      production: false,
      connectOrigins: ['http://127.0.0.1:8000', 'ws://127.0.0.1:8000'],
      jitsiOrigin: undefined,
      dashboardOrigins: [],
    });
  });
});

describe('contentSecurityPolicy', () => {
  it('allows scripts by nonce only, and nothing may frame the page', () => {
    const csp = directives(
      contentSecurityPolicy({ nonce: 'abc', pathname: '/app', https: false, settings }),
    );
    expect(csp['script-src']).toEqual([
      "'self'",
      "'nonce-abc'",
      "'strict-dynamic'",
      'https://meet.example',
    ]);
    expect(csp['script-src']).not.toContain("'unsafe-inline'");
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['connect-src']).toEqual([
      "'self'",
      'https://api.afenda.example',
      'wss://api.afenda.example',
      'https://sso.example',
    ]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['form-action']).toEqual(["'self'", 'https://sso.example']);
    expect(csp['upgrade-insecure-requests']).toBeUndefined();
  });

  it("lets only Chatwoot's configured origins frame the Dashboard App page", () => {
    const csp = directives(
      contentSecurityPolicy({
        nonce: 'n',
        pathname: '/chatwoot/dashboard-app',
        https: true,
        settings,
      }),
    );
    expect(csp['frame-ancestors']).toEqual(['https://chat.example', 'http://cw.local:3000']);
    expect(csp['script-src']).toContain("'nonce-n'");
    expect(csp['upgrade-insecure-requests']).toEqual([]);
    const off = contentSecurityPolicy({
      nonce: 'n',
      pathname: '/chatwoot/dashboard-app',
      https: false,
      settings: { ...settings, dashboardOrigins: [] },
    });
    expect(directives(off)['frame-ancestors']).toEqual(["'none'"]);
  });

  it("allows eval in development only (React's development build)", () => {
    const dev = readHeaderSettings({});
    const csp = contentSecurityPolicy({ nonce: 'n', pathname: '/', https: false, settings: dev });
    expect(directives(csp)['script-src']).toContain("'unsafe-eval'");
  });
});

describe('securityHeaders', () => {
  it('sends every header, X-Frame-Options where nothing may frame, HSTS behind TLS', () => {
    const page = securityHeaders({ nonce: 'n', pathname: '/app/inbox', https: true, settings });
    expect(page).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'x-frame-options': 'DENY',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
    });
    expect(page['permissions-policy']).toContain('camera=(self "https://meet.example")');
    expect(page['permissions-policy']).toContain('display-capture=(self "https://meet.example")');
    expect(page['permissions-policy']).toContain('geolocation=()');

    const dashboard = securityHeaders({
      nonce: 'n',
      pathname: '/chatwoot/dashboard-app',
      https: false,
      settings,
    });
    expect(dashboard['x-frame-options']).toBeUndefined();
    expect(dashboard['strict-transport-security']).toBeUndefined();
  });

  it('leaves the call devices to the browser when the Shell does not know Jitsi', () => {
    const headers = securityHeaders({
      nonce: 'n',
      pathname: '/',
      https: false,
      settings: readHeaderSettings({}),
    });
    expect(headers['permissions-policy']).not.toContain('camera');
    expect(headers['permissions-policy']).toContain('fullscreen=(self)');
  });
});

describe('createNonce and cameOverTls', () => {
  it('makes a fresh base64 nonce each time', () => {
    const a = createNonce();
    expect(a).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(createNonce()).not.toBe(a);
  });

  it('believes the proxy in front about TLS', () => {
    expect(cameOverTls(new URL('http://shell:3000/'), 'https')).toBe(true);
    expect(cameOverTls(new URL('http://shell:3000/'), 'http')).toBe(false);
    expect(cameOverTls(new URL('https://afenda.example/'), null)).toBe(true);
    expect(cameOverTls(new URL('http://localhost:3000/'), null)).toBe(false);
  });
});
