/**
 * The client-server API calls the orchestrator makes, as its application service: the bot
 * (@<sender_localpart>) by default, any local user by masquerading (?user_id=), with the
 * as_token. Every call has a timeout; a non-2xx answer throws MatrixError with Synapse's
 * errcode, a network failure throws as it is (the outbox retries both).
 */
export class MatrixError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
  ) {
    super(`Synapse answered ${status} ${errcode}: ${message}`);
  }
}

export interface MatrixClientOptions {
  baseUrl: string;
  serverName: string;
  asToken: string;
  botLocalpart: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export type PowerLevels = {
  users?: Record<string, number>;
  users_default?: number;
  events?: Record<string, number>;
  events_default?: number;
  state_default?: number;
  invite?: number;
  kick?: number;
  ban?: number;
  redact?: number;
  notifications?: Record<string, number>;
  [key: string]: unknown;
};

export interface RoomMember {
  userId: string;
  membership: 'join' | 'invite' | 'leave' | 'ban' | 'knock';
  /** Who made the latest membership change. */
  sender: string;
}

const enc = encodeURIComponent;

export class MatrixClient {
  readonly botUserId: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: MatrixClientOptions) {
    this.botUserId = `@${options.botLocalpart}:${options.serverName}`;
    this.fetch = options.fetch ?? fetch;
  }

  get serverName(): string {
    return this.options.serverName;
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    asUser?: string,
  ): Promise<T> {
    const url = new URL(`/_matrix/client/v3${path}`, this.options.baseUrl);
    if (asUser && asUser !== this.botUserId) url.searchParams.set('user_id', asUser);
    const res = await this.fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${this.options.asToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      throw new MatrixError(
        res.status,
        String(json.errcode ?? 'M_UNKNOWN'),
        String(json.error ?? res.statusText).slice(0, 300),
      );
    }
    return json as T;
  }

  whoami(): Promise<{ user_id: string }> {
    return this.call('GET', '/account/whoami');
  }

  /** Provisions a local user (idempotent: one who exists already is fine). */
  async ensureUser(localpart: string, displayName: string): Promise<string> {
    const userId = `@${localpart}:${this.options.serverName}`;
    try {
      await this.call('POST', '/register', {
        type: 'm.login.application_service',
        username: localpart,
        inhibit_login: true,
      });
    } catch (err) {
      if (!(err instanceof MatrixError && err.errcode === 'M_USER_IN_USE')) throw err;
    }
    const profile = await this.call<{ displayname?: string }>(
      'GET',
      `/profile/${enc(userId)}`,
    ).catch(() => ({}) as { displayname?: string });
    if (profile.displayname !== displayName) {
      await this.call(
        'PUT',
        `/profile/${enc(userId)}/displayname`,
        { displayname: displayName },
        userId,
      );
    }
    return userId;
  }

  /** The room an alias points at, or null. */
  async resolveAlias(alias: string): Promise<string | null> {
    try {
      const r = await this.call<{ room_id: string }>('GET', `/directory/room/${enc(alias)}`);
      return r.room_id;
    } catch (err) {
      if (err instanceof MatrixError && err.status === 404) return null;
      throw err;
    }
  }

  /**
   * Creates a room under an alias local part, or finds the one a previous attempt created
   * (createRoom isn't idempotent; the alias makes it so).
   */
  async createRoomWithAlias(
    aliasLocalpart: string,
    body: Record<string, unknown>,
  ): Promise<string> {
    const alias = `#${aliasLocalpart}:${this.options.serverName}`;
    const existing = await this.resolveAlias(alias);
    if (existing) return existing;
    try {
      const r = await this.call<{ room_id: string }>('POST', '/createRoom', {
        ...body,
        room_alias_name: aliasLocalpart,
      });
      return r.room_id;
    } catch (err) {
      if (err instanceof MatrixError && err.errcode === 'M_ROOM_IN_USE') {
        const raced = await this.resolveAlias(alias);
        if (raced) return raced;
      }
      throw err;
    }
  }

  async state<T>(roomId: string, type: string, stateKey = ''): Promise<T | null> {
    try {
      return await this.call<T>('GET', `/rooms/${enc(roomId)}/state/${enc(type)}/${enc(stateKey)}`);
    } catch (err) {
      if (err instanceof MatrixError && err.status === 404) return null;
      throw err;
    }
  }

  async putState(roomId: string, type: string, content: unknown, stateKey = ''): Promise<string> {
    const r = await this.call<{ event_id: string }>(
      'PUT',
      `/rooms/${enc(roomId)}/state/${enc(type)}/${enc(stateKey)}`,
      content,
    );
    return r.event_id;
  }

  /** Every member event of the room, with who made it. */
  async members(roomId: string): Promise<RoomMember[]> {
    const r = await this.call<{
      chunk: Array<{ state_key: string; sender: string; content: { membership: string } }>;
    }>('GET', `/rooms/${enc(roomId)}/members`);
    return r.chunk.map((e) => ({
      userId: e.state_key,
      membership: e.content.membership as RoomMember['membership'],
      sender: e.sender,
    }));
  }

  invite(roomId: string, userId: string, reason: string) {
    return this.call('POST', `/rooms/${enc(roomId)}/invite`, { user_id: userId, reason });
  }

  kick(roomId: string, userId: string, reason: string) {
    return this.call('POST', `/rooms/${enc(roomId)}/kick`, { user_id: userId, reason });
  }

  /** Joins the user (masquerading) to a room they were invited to. */
  join(roomId: string, userId: string) {
    return this.call('POST', `/join/${enc(roomId)}`, {}, userId);
  }

  /** Sends an event; the transaction id makes a repeat harmless. Returns its event id. */
  async send(roomId: string, txnId: string, content: unknown, type = 'm.room.message') {
    const r = await this.call<{ event_id: string }>(
      'PUT',
      `/rooms/${enc(roomId)}/send/${enc(type)}/${enc(txnId)}`,
      content,
    );
    return r.event_id;
  }

  /** Health of the homeserver as the orchestrator sees it: the bot's identity. */
  async check(): Promise<{ ok: true; userId: string } | { ok: false; error: string }> {
    try {
      const me = await this.whoami();
      return { ok: true, userId: me.user_id };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }
}
