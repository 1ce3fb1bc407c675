import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { isFromFrame, parseBridgeMessage } from './bridge';
import { frameVerdict, probeFrame } from './frame-probe';
import { buildRegistry, describeMissing } from './registry';

const SHELL = 'https://shell.acme.example';
const TOOL = 'https://chat.acme.example/app';
const h = (init: Record<string, string>) => new Headers(init);

describe('frameVerdict', () => {
  it('allows a page that says nothing', () => {
    expect(frameVerdict(h({}), TOOL, SHELL)).toEqual({ state: 'ok' });
  });
  it('refuses X-Frame-Options DENY and a cross-origin SAMEORIGIN', () => {
    expect(frameVerdict(h({ 'x-frame-options': 'DENY' }), TOOL, SHELL).state).toBe('refused');
    expect(frameVerdict(h({ 'x-frame-options': 'sameorigin' }), TOOL, SHELL).state).toBe('refused');
    expect(frameVerdict(h({ 'x-frame-options': 'SAMEORIGIN' }), `${SHELL}/tool`, SHELL).state).toBe(
      'ok',
    );
  });
  it('reads frame-ancestors, which wins over X-Frame-Options', () => {
    const csp = (v: string) => h({ 'content-security-policy': v, 'x-frame-options': 'DENY' });
    expect(
      frameVerdict(csp("frame-ancestors 'self' https://shell.acme.example"), TOOL, SHELL).state,
    ).toBe('ok');
    expect(frameVerdict(csp('frame-ancestors https://*.acme.example'), TOOL, SHELL).state).toBe(
      'ok',
    );
    expect(frameVerdict(csp('frame-ancestors https:'), TOOL, SHELL).state).toBe('ok');
    expect(frameVerdict(csp("default-src 'self'; frame-ancestors 'none'"), TOOL, SHELL).state).toBe(
      'refused',
    );
    expect(frameVerdict(csp("frame-ancestors 'self'"), TOOL, SHELL).state).toBe('refused');
    expect(frameVerdict(csp('frame-ancestors https://other.example'), TOOL, SHELL).state).toBe(
      'refused',
    );
    expect(frameVerdict(csp('frame-ancestors http://shell.acme.example'), TOOL, SHELL).state).toBe(
      'refused',
    );
  });
});

describe('probeFrame', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise((r) => s.close(r));
  });
  async function tool(status: number, headers: Record<string, string>) {
    const s = createServer((_req, res) => {
      res.writeHead(status, headers);
      res.end('<html></html>');
    });
    server = s;
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
  }
  it('says ok, refused or unreachable from a real answer', async () => {
    expect(await probeFrame(await tool(200, {}), SHELL)).toEqual({ state: 'ok' });
    server?.close();
    expect((await probeFrame(await tool(200, { 'x-frame-options': 'DENY' }), SHELL)).state).toBe(
      'refused',
    );
    server?.close();
    expect((await probeFrame(await tool(503, {}), SHELL)).state).toBe('unreachable');
    expect((await probeFrame('http://127.0.0.1:1/', SHELL)).state).toBe('unreachable');
  });
});

describe('the message bridge', () => {
  it('reads only messages from the frame window at the exact origin', () => {
    const frame = {};
    expect(
      isFromFrame(
        { origin: 'https://chat.acme.example', source: frame },
        'https://chat.acme.example',
        frame,
      ),
    ).toBe(true);
    expect(
      isFromFrame(
        { origin: 'https://evil.example', source: frame },
        'https://chat.acme.example',
        frame,
      ),
    ).toBe(false);
    expect(
      isFromFrame(
        { origin: 'https://chat.acme.example', source: {} },
        'https://chat.acme.example',
        frame,
      ),
    ).toBe(false);
    expect(
      isFromFrame(
        { origin: 'https://chat.acme.example', source: null },
        'https://chat.acme.example',
        null,
      ),
    ).toBe(false);
  });
  it('accepts navigation only to Shell paths', () => {
    expect(parseBridgeMessage({ type: 'afenda:navigate', path: '/app/approvals' })).toEqual({
      type: 'afenda:navigate',
      path: '/app/approvals',
    });
    for (const path of [
      'https://evil.example',
      '//evil.example',
      '/auth/logout',
      '/app\\..',
      'javascript:alert(1)',
      '/apps',
    ])
      expect(parseBridgeMessage({ type: 'afenda:navigate', path })).toBeNull();
    expect(parseBridgeMessage('afenda:ready')).toBeNull();
    expect(parseBridgeMessage({ type: 'afenda:ready' })).toEqual({ type: 'afenda:ready' });
  });
});

describe('the module registry', () => {
  it('puts the built-in modules beside the tools, in navigation order', () => {
    const state = (id: string, s: 'enabled' | 'not_configured', order: number) => ({
      id,
      name: id,
      tool: 'T',
      description: '',
      path: `/app/${id}`,
      order,
      icon: null,
      routes: [],
      permissions: [],
      required: ['baseUrl' as const],
      state: s,
      missing: s === 'enabled' ? [] : ['baseUrl' as const],
      environment: {},
      baseUrl: null,
      embedUrl: null,
      options: [],
      testable: false,
    });
    const ids = buildRegistry([
      state('whiteboard', 'enabled', 60),
      state('inbox', 'not_configured', 10),
      state('zzz', 'enabled', 60),
    ]).map((m) => m.id);
    // Each manifest's order (the built-in modules are 20 and 30), then by title.
    expect(ids).toEqual(['inbox', 'approvals', 'activity', 'whiteboard', 'zzz']);
    expect(buildRegistry(null).map((m) => m.state)).toEqual(['built-in', 'built-in']);
  });
  it('says what a module still needs', () => {
    expect(describeMissing([])).toBe('');
    expect(describeMissing(['baseUrl'])).toBe('Needs its base URL');
    expect(describeMissing(['baseUrl'], { baseUrl: 'JITSI_URL' })).toBe(
      'Needs its base URL (JITSI_URL)',
    );
    expect(describeMissing(['baseUrl', 'apiToken', 'webhookSecret'])).toBe(
      'Needs its base URL, API token and webhook secret',
    );
  });
});
