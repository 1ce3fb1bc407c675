import type { Database } from '@afenda/db';
import { sql } from 'drizzle-orm';
import type { SecretBox } from '@afenda/platform/secrets';

/** What an organisation's Inbox settings say about its Chatwoot account. */
export interface ChatwootAccount {
  accountId: number;
  tenantId: string;
  enabled: boolean;
  baseUrl: string | null;
  webhookSecret: string | null;
  apiToken: string | null;
  /** Username of the member who requests escalations made with the label in Chatwoot. */
  escalationRequester: string | null;
}

const secretContext = (tenantId: string, field: string) => `${tenantId}/inbox/${field}`;

/**
 * Chatwoot account → organisation, from every tenant's Inbox module settings
 * (options.accountId), read in the jobs context (the one policy that lets ingestion see across
 * tenants). Cached; an unknown account reloads at most once per `missReloadMs`.
 */
export class ChatwootAccounts {
  private byAccount = new Map<number, ChatwootAccount>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly deps: { database: Database; secrets: SecretBox },
    private readonly ttlMs = 30_000,
    private readonly missReloadMs = 5_000,
  ) {}

  async lookup(accountId: number): Promise<ChatwootAccount | null> {
    const age = Date.now() - this.loadedAt;
    if (age > this.ttlMs || (!this.byAccount.has(accountId) && age > this.missReloadMs))
      await this.reload();
    return this.byAccount.get(accountId) ?? null;
  }

  /** A link into Chatwoot's own UI for a conversation, when the account's baseUrl is set. */
  async linker(): Promise<(accountId: number, displayId: number) => string | null> {
    if (Date.now() - this.loadedAt > this.ttlMs) await this.reload();
    const byAccount = this.byAccount;
    return (accountId, displayId) => {
      const base = byAccount.get(accountId)?.baseUrl;
      return base
        ? `${base.replace(/\/+$/, '')}/app/accounts/${accountId}/conversations/${displayId}`
        : null;
    };
  }

  /** The Chatwoot account an organisation's settings name, if any. */
  async forTenant(tenantId: string): Promise<ChatwootAccount | null> {
    if (Date.now() - this.loadedAt > this.ttlMs) await this.reload();
    for (const account of this.byAccount.values())
      if (account.tenantId === tenantId) return account;
    return null;
  }

  /**
   * The account as stored now, when what the cache says was refused (a signature that does not
   * match: another replica may have just connected it with a fresh secret). Reloads at most
   * once per `staleReloadMs`, so wrong signatures cannot make every request a query.
   */
  async fresh(accountId: number, staleReloadMs = 1_000): Promise<ChatwootAccount | null> {
    if (Date.now() - this.loadedAt > staleReloadMs) await this.reload();
    return this.byAccount.get(accountId) ?? null;
  }

  /** Forget the cache (after settings change in this process). */
  invalidate(): void {
    this.loadedAt = 0;
  }

  private reload(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    const rows = await this.deps.database.transaction({ service: 'jobs' }, async (tx) => {
      const result = await tx.execute<{
        tenant_id: string;
        enabled: boolean;
        base_url: string | null;
        api_token_encrypted: Buffer | null;
        webhook_secret_encrypted: Buffer | null;
        options: Record<string, unknown>;
      }>(
        sql`select tenant_id, enabled, base_url, api_token_encrypted, webhook_secret_encrypted, options
              from module_settings where module = 'inbox' and options ? 'accountId'`,
      );
      return result.rows;
    });
    const next = new Map<number, ChatwootAccount>();
    for (const row of rows) {
      const accountId = Number(row.options.accountId);
      if (!Number.isInteger(accountId)) continue;
      const open = (value: Buffer | null, field: string) =>
        value ? this.deps.secrets.open(value, secretContext(row.tenant_id, field)) : null;
      next.set(accountId, {
        accountId,
        tenantId: row.tenant_id,
        enabled: row.enabled,
        baseUrl: row.base_url,
        webhookSecret: open(row.webhook_secret_encrypted, 'webhook_secret'),
        apiToken: open(row.api_token_encrypted, 'api_token'),
        escalationRequester:
          typeof row.options.escalationRequester === 'string'
            ? row.options.escalationRequester
            : null,
      });
    }
    this.byAccount = next;
    this.loadedAt = Date.now();
  }
}
