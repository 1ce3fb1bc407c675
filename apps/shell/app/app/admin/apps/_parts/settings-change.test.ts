import { describe, expect, it } from 'vitest';
import { toChange } from './settings-change';

const OPTIONS = [
  {
    key: 'accountId',
    label: 'Chatwoot account id',
    kind: 'integer' as const,
    required: true,
    hint: null,
  },
  {
    key: 'escalationRequester',
    label: 'Requester',
    kind: 'text' as const,
    required: false,
    hint: null,
  },
];

describe("the App registry's form as a change", () => {
  it('sends what was filled in; a blank secret keeps the stored one', () => {
    expect(
      toChange(
        {
          enabled: true,
          baseUrl: ' https://chat.example.com ',
          apiToken: '',
          webhookSecret: '  a-long-secret ',
          options: { accountId: '3', escalationRequester: '' },
        },
        OPTIONS,
      ),
    ).toEqual({
      ok: true,
      change: {
        enabled: true,
        baseUrl: 'https://chat.example.com',
        webhookSecret: 'a-long-secret',
        options: { accountId: 3 },
      },
    });
  });

  it('removes a secret when asked, and an emptied address', () => {
    expect(
      toChange({ enabled: false, baseUrl: '', apiToken: 'typed', removeApiToken: true }, []),
    ).toEqual({ ok: true, change: { enabled: false, baseUrl: null, apiToken: null } });
  });

  it('answers bad input in words, before anything is sent', () => {
    const bad = (form: Parameters<typeof toChange>[0]) => toChange(form, OPTIONS);
    expect(bad({ enabled: true, baseUrl: 'ftp://x', options: { accountId: '1' } })).toEqual({
      ok: false,
      message: 'The address must start with http:// or https://.',
    });
    expect(bad({ enabled: true, webhookSecret: 'short', options: { accountId: '1' } })).toEqual({
      ok: false,
      message: 'The webhook secret is too short.',
    });
    expect(bad({ enabled: true, options: { accountId: '' } })).toEqual({
      ok: false,
      message: 'Chatwoot account id is needed.',
    });
    expect(bad({ enabled: true, options: { accountId: '1e3' } })).toEqual({
      ok: false,
      message: 'Chatwoot account id must be a number.',
    });
  });
});
