/**
 * The calls the orchestrator makes into Chatwoot's Application API (CONTRACT.md §4): a private
 * note, and the labels (which replace the whole list: read, merge, write). Header
 * `api_access_token`; JSON bodies; a timeout on every call.
 */
export class ChatwootApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ChatwootApiError';
  }
}

export interface ChatwootClientOptions {
  baseUrl: string;
  apiToken: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** One call into Chatwoot (either API): JSON in and out, a timeout, errors as ChatwootApiError. */
export async function chatwootRequest<T>(
  options: ChatwootClientOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const url = new URL(
    path,
    options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`,
  );
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, {
      method,
      headers: {
        api_access_token: options.apiToken,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new ChatwootApiError(`Chatwoot unreachable: ${(err as Error).message}`, null);
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 200);
    throw new ChatwootApiError(
      `Chatwoot answered ${res.status} to ${method} ${url.pathname}: ${text}`,
      res.status,
    );
  }
  // `head :ok` (a DELETE) has no body.
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export class ChatwootClient {
  constructor(private readonly options: ChatwootClientOptions) {}

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return chatwootRequest<T>(this.options, method, path, body);
  }

  private conversation(accountId: number, displayId: number) {
    return `api/v1/accounts/${accountId}/conversations/${displayId}`;
  }

  /** POST .../messages {content, message_type: outgoing, private: true} → the message (its id). */
  async postPrivateNote(accountId: number, displayId: number, content: string) {
    return this.call<{ id: number }>(
      'POST',
      `${this.conversation(accountId, displayId)}/messages`,
      {
        content,
        message_type: 'outgoing',
        private: true,
      },
    );
  }

  async getLabels(accountId: number, displayId: number): Promise<string[]> {
    const res = await this.call<{ payload: string[] }>(
      'GET',
      `${this.conversation(accountId, displayId)}/labels`,
    );
    return res.payload;
  }

  /** Adds labels to what is there (Chatwoot replaces the list: read, merge, write). */
  async addLabels(accountId: number, displayId: number, labels: string[]): Promise<string[]> {
    const current = await this.getLabels(accountId, displayId);
    const merged = [...new Set([...current, ...labels])];
    if (merged.length === current.length) return current;
    const res = await this.call<{ payload: string[] }>(
      'POST',
      `${this.conversation(accountId, displayId)}/labels`,
      {
        labels: merged,
      },
    );
    return res.payload;
  }
}
