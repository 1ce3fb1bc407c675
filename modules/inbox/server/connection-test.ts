import type { ConnectionTest } from '@afenda/platform/module';
import type { ChatwootAccounts } from './accounts.ts';
import { ChatwootApiError, chatwootRequest } from './chatwoot/chatwoot-api.ts';

/**
 * The App registry's "Test connection" for Chatwoot: with the organisation's stored address,
 * token and account, one read of its open conversations (CONTRACT.md: GET
 * /api/v1/accounts/{account_id}/conversations, `data.meta.all_count`), and what Chatwoot said.
 */
export async function testChatwootConnection(
  deps: { accounts: ChatwootAccounts; timeoutMs: number; fetch: typeof fetch },
  tenantId: string,
): Promise<ConnectionTest> {
  deps.accounts.invalidate();
  const account = await deps.accounts.forTenant(tenantId);
  if (!account)
    return {
      ok: false,
      summary: 'No Chatwoot account id is set for this organisation.',
      target: '',
    };
  const missing = [
    ...(account.baseUrl ? [] : ['its address']),
    ...(account.apiToken ? [] : ['an API token']),
  ];
  if (!account.baseUrl || !account.apiToken)
    return { ok: false, summary: `Chatwoot needs ${missing.join(' and ')} first.`, target: '' };
  const path = `api/v1/accounts/${account.accountId}/conversations?status=open`;
  const target = new URL(path, account.baseUrl.replace(/\/*$/, '/')).toString();
  try {
    const res = await chatwootRequest<{ data?: { meta?: { all_count?: number } } }>(
      {
        baseUrl: account.baseUrl,
        apiToken: account.apiToken,
        timeoutMs: deps.timeoutMs,
        fetch: deps.fetch,
      },
      'GET',
      path,
    );
    const open = res.data?.meta?.all_count;
    return {
      ok: true,
      summary:
        typeof open === 'number'
          ? `Chatwoot answered for account ${account.accountId}: ${open} open conversation${open === 1 ? '' : 's'}.`
          : `Chatwoot answered for account ${account.accountId}.`,
      target,
    };
  } catch (err) {
    const status = err instanceof ChatwootApiError ? err.status : null;
    const summary =
      status === 401
        ? 'Chatwoot refused the API token (401): paste the token of an administrator of that account.'
        : status === 404
          ? `Chatwoot has no account ${account.accountId} for this token (404).`
          : status !== null
            ? `Chatwoot answered ${status}.`
            : `Chatwoot did not answer: ${(err as Error).message.replace(/^Chatwoot unreachable: /, '')}.`;
    return { ok: false, summary, target };
  }
}
