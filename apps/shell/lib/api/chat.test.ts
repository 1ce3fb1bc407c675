import { describe, expect, it } from 'vitest';

import { createCall, inTenant } from './client';
import { createChatApi } from './chat';

const TENANT = '33333333-3333-4333-8333-333333333333';

/** The chat API over a fetch that answers `body` and records what it was asked. */
function chatApi(status: number, body: unknown) {
  const asked: { url: string; headers: Record<string, string> }[] = [];
  const call = createCall({
    baseUrl: 'http://orchestrator.test/',
    accessToken: 'token-1',
    fetch: async (url, init) => {
      asked.push({ url: String(url), headers: init?.headers as Record<string, string> });
      return new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    },
  });
  return { api: createChatApi(inTenant(call, TENANT)), asked };
}

const room = {
  id: '55555555-5555-4555-8555-555555555555',
  roomId: '!abc:example.org',
  kind: 'team',
  name: 'Support',
  lastEventAt: '2026-07-13T10:00:00.000Z',
  lastSender: '@alice:example.org',
  lastExcerpt: '<b>not html</b>',
  elementUrl: 'https://element.example/#/room/!abc%3Aexample.org',
};

describe('the chat API client', () => {
  it("lists the tenant's rooms with Matrix's status, in the tenant, signed in", async () => {
    const matrix = {
      configured: true,
      missing: [],
      elementUrl: 'https://element.example',
      failing: null,
    };
    const { api, asked } = chatApi(200, { data: [room], meta: { requestId: 'r1', matrix } });
    expect(await api.rooms()).toEqual({ rooms: [room], matrix });
    expect(asked[0]?.url).toBe('http://orchestrator.test/api/v1/chat/rooms');
    expect(asked[0]?.headers).toMatchObject({
      authorization: 'Bearer token-1',
      'x-tenant-id': TENANT,
    });
  });

  it('refuses an answer without the status or with an unknown kind of room', async () => {
    await expect(chatApi(200, { data: [room], meta: {} }).api.rooms()).rejects.toThrow(
      /Unexpected response body/,
    );
    await expect(
      chatApi(200, {
        data: [{ ...room, kind: 'lobby' }],
        meta: {
          matrix: {
            configured: false,
            missing: ['MATRIX_AS_TOKEN'],
            elementUrl: null,
            failing: null,
          },
        },
      }).api.rooms(),
    ).rejects.toThrow(/Unexpected response body/);
  });
});
