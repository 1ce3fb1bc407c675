/**
 * The Shell's one way to call the orchestrator's authenticated API (`/api/v1`): adds the user's
 * bearer token, checks each answer against the shared contracts, and turns the error envelope
 * (`{ error: { code, message, details } }`) into an {@link OrchestratorApiError}. When the
 * orchestrator can't be reached or answers something that isn't the API, it throws an
 * {@link OrchestratorUnavailableError}.
 *
 * Server-only: the access token must never reach the browser.
 */
import {
  activityEntrySchema,
  approvalEventSchema,
  approvalSchema,
  conversationDetailSchema,
  conversationSchema,
  errorBodySchema,
  meSchema,
  moduleStateSchema,
  notificationSchema,
  tenantNodeSchema,
  tenantSchema,
  unreadCountSchema,
  type ActivityEntry,
  type Approval,
  type ApprovalEvent,
  type Conversation,
  type ModuleState,
  type Notification,
  type Tenant,
  type TenantNode,
} from '@afenda/contracts';
import { z } from 'zod';

export type Me = z.infer<typeof meSchema>;

export interface TenantTree {
  tenants: TenantNode[];
  activeTenantId: string | null;
}

/** The orchestrator answered with its error envelope. */
export class OrchestratorApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'OrchestratorApiError';
  }
}

/** The orchestrator could not be reached, timed out, or did not answer as the API does. */
export class OrchestratorUnavailableError extends Error {
  constructor(
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OrchestratorUnavailableError';
  }
}

export interface OrchestratorApiOptions {
  baseUrl: string;
  accessToken: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** One page of a keyset-paginated list: pass `nextCursor` back as `cursor` for the next. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export type ConversationDetail = z.infer<typeof conversationDetailSchema>;

/** Query parameters: undefined values are left out. */
export type Query = Record<string, string | number | undefined>;

export interface OrchestratorApi {
  getMe(): Promise<Me>;
  listTenants(): Promise<TenantTree>;
  switchTenant(tenantId: string): Promise<Tenant>;
  /** The calls below act in one tenant (X-Tenant-Id). */
  inTenant(tenantId: string): TenantApi;
}

export interface TenantApi {
  listModuleStates(): Promise<ModuleState[]>;
  listApprovalTypes(): Promise<{ id: string; title: string; mayDecide: boolean }[]>;
  listApprovals(query?: Query): Promise<Page<Approval>>;
  getApproval(id: string): Promise<Approval>;
  listApprovalEvents(id: string): Promise<ApprovalEvent[]>;
  createApproval(body: {
    type: string;
    title: string;
    description?: string;
    submit?: boolean;
  }): Promise<Approval>;
  approve(id: string, comment?: string): Promise<Approval>;
  reject(id: string, reason: string): Promise<Approval>;
  listActivity(query?: Query): Promise<Page<ActivityEntry>>;
  listConversations(query?: Query): Promise<Page<Conversation>>;
  getConversation(id: string): Promise<ConversationDetail>;
  /** 201 a new escalation, 200 the one already pending: `created` says which. */
  /** A conversation by Chatwoot's own ids (what the Chatwoot Dashboard App knows). */
  getConversationByRef(accountId: number, displayId: number): Promise<ConversationDetail>;
  escalate(
    id: string,
    note?: string,
    via?: 'shell' | 'dashboard_app',
  ): Promise<{ approval: Approval; created: boolean }>;
  listNotifications(query?: Query): Promise<Page<Notification>>;
  unreadCount(): Promise<number>;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
}

const meta = z.object({ requestId: z.string().optional() }).catchall(z.unknown());
const meEnvelope = z.object({ data: meSchema, meta: meta.optional() });
const tenantsEnvelope = z.object({
  data: z.array(tenantNodeSchema),
  meta: meta.extend({ activeTenantId: z.string().nullable().optional() }),
});
const tenantEnvelope = z.object({ data: tenantSchema, meta: meta.optional() });
const one = <T extends z.ZodType>(data: T) => z.object({ data, meta: meta.optional() });
const page = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    meta: meta.extend({ nextCursor: z.string().nullable().optional() }),
  });
const anyBody = z.unknown();

interface RequestOptions {
  query?: Query;
  body?: unknown;
  tenantId?: string;
  /** Each mutation gets one, so a retried request can't act twice. */
  idempotent?: boolean;
}

function withQuery(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export type OrchestratorMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One authenticated call: JSON in (optional), the envelope checked against `schema` out. */
export type OrchestratorRequest = <T>(
  method: OrchestratorMethod,
  path: string,
  schema: z.ZodType<T>,
  init?: { body?: unknown; tenantId?: string | null },
) => Promise<T>;

type Call = <T>(
  method: OrchestratorMethod,
  path: string,
  schema: z.ZodType<T>,
  opts?: RequestOptions,
) => Promise<{ status: number; body: T }>;

/** The one place a call is made: headers, timeout, the envelope, the contract check. */
function createCall(options: OrchestratorApiOptions): Call {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5_000;
  const doFetch = options.fetch ?? fetch;

  return async function call<T>(
    method: OrchestratorMethod,
    path: string,
    schema: z.ZodType<T>,
    opts: RequestOptions = {},
  ): Promise<{ status: number; body: T }> {
    const url = `${baseUrl}/api/v1${withQuery(path, opts.query)}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${options.accessToken}`,
    };
    if (opts.tenantId) headers['x-tenant-id'] = opts.tenantId;
    if (opts.idempotent) headers['idempotency-key'] = crypto.randomUUID();
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        cache: 'no-store',
        headers,
        ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new OrchestratorUnavailableError(describeFetchError(err, timeoutMs), url, {
        cause: err,
      });
    }
    // 204: nothing to read; the schema says whether that is what was expected.
    if (response.status === 204) return { status: 204, body: schema.parse(null) };
    let body: unknown;
    try {
      body = await response.json();
    } catch (err) {
      throw new OrchestratorUnavailableError(`HTTP ${response.status} without a JSON body`, url, {
        cause: err,
      });
    }
    if (!response.ok) {
      const envelope = errorBodySchema.safeParse(body);
      if (envelope.success) {
        const { code, message, details } = envelope.data.error;
        throw new OrchestratorApiError(response.status, code, message, details);
      }
      throw new OrchestratorUnavailableError(`HTTP ${response.status}`, url);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new OrchestratorUnavailableError(
        `Unexpected response body: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        url,
      );
    }
    return { status: response.status, body: parsed.data };
  };
}

export function createOrchestratorRequest(options: OrchestratorApiOptions): OrchestratorRequest {
  const call = createCall(options);
  return async (method, path, schema, init = {}) =>
    (await call(method, path, schema, { body: init.body, tenantId: init.tenantId ?? undefined }))
      .body;
}

export function createOrchestratorApi(options: OrchestratorApiOptions): OrchestratorApi {
  const call = createCall(options);

  async function request<T>(
    method: OrchestratorMethod,
    path: string,
    schema: z.ZodType<T>,
    opts?: RequestOptions,
  ): Promise<T> {
    return (await call(method, path, schema, opts)).body;
  }

  function inTenant(tenantId: string): TenantApi {
    const get = <T>(path: string, schema: z.ZodType<T>, query?: Query) =>
      request('GET', path, schema, { tenantId, query });
    const post = <T>(path: string, schema: z.ZodType<T>, body?: unknown) =>
      request('POST', path, schema, { tenantId, body, idempotent: true });
    const list = async <T>(path: string, item: z.ZodType<T>, query?: Query): Promise<Page<T>> => {
      const body = await get(path, page(item), query);
      return { data: body.data, nextCursor: body.meta.nextCursor ?? null };
    };
    const id = (value: string) => encodeURIComponent(value);
    return {
      listModuleStates: async () =>
        (await get('/modules/state', one(z.array(moduleStateSchema)))).data,
      listApprovalTypes: async () =>
        (
          await get(
            '/approvals/types',
            one(z.array(z.object({ id: z.string(), title: z.string(), mayDecide: z.boolean() }))),
          )
        ).data,
      listApprovals: (query) => list('/approvals', approvalSchema, query),
      getApproval: async (approvalId) =>
        (await get(`/approvals/${id(approvalId)}`, one(approvalSchema))).data,
      listApprovalEvents: async (approvalId) =>
        (await get(`/approvals/${id(approvalId)}/events`, one(z.array(approvalEventSchema)))).data,
      createApproval: async (body) =>
        (await post('/approvals/requests', one(approvalSchema), body)).data,
      approve: async (approvalId, comment) =>
        (await post(`/approvals/${id(approvalId)}/approve`, one(approvalSchema), { comment })).data,
      reject: async (approvalId, reason) =>
        (await post(`/approvals/${id(approvalId)}/reject`, one(approvalSchema), { reason })).data,
      listActivity: (query) => list('/activity', activityEntrySchema, query),
      listConversations: (query) => list('/conversations', conversationSchema, query),
      getConversation: async (conversationId) =>
        (await get(`/conversations/${id(conversationId)}`, one(conversationDetailSchema))).data,
      getConversationByRef: async (accountId, displayId) =>
        (
          await get(
            `/conversations/by-ref/chatwoot/${Math.trunc(accountId)}/${Math.trunc(displayId)}`,
            one(conversationDetailSchema),
          )
        ).data,
      escalate: async (conversationId, note, via = 'shell') => {
        const { status, body } = await call(
          'POST',
          `/conversations/${id(conversationId)}/escalate`,
          one(approvalSchema),
          {
            tenantId,
            body: note ? { note } : {},
            idempotent: true,
            // the Shell's own button is the default; only another way in is named
            ...(via === 'shell' ? {} : { query: { via } }),
          },
        );
        return { approval: body.data, created: status === 201 };
      },
      listNotifications: (query) => list('/notifications', notificationSchema, query),
      unreadCount: async () =>
        (await get('/notifications/unread-count', one(unreadCountSchema))).data.count,
      markRead: async (notificationId) => {
        await post(`/notifications/${id(notificationId)}/read`, anyBody);
      },
      markAllRead: async () => {
        await post('/notifications/read-all', anyBody);
      },
    };
  }

  return {
    inTenant,
    async getMe() {
      return (await request('GET', '/me', meEnvelope)).data;
    },
    async listTenants() {
      const body = await request('GET', '/tenants', tenantsEnvelope);
      return { tenants: body.data, activeTenantId: body.meta.activeTenantId ?? null };
    },
    async switchTenant(tenantId: string) {
      return (
        await request('POST', `/tenants/${encodeURIComponent(tenantId)}/switch`, tenantEnvelope)
      ).data;
    },
  };
}

/** Depth-first, in the orchestrator's order: each tenant with its depth and its parent. */
export interface FlatTenant extends Tenant {
  depth: number;
  parentName: string | null;
}

export function flattenTenants(
  nodes: TenantNode[],
  depth = 0,
  parent: TenantNode | null = null,
): FlatTenant[] {
  return nodes.flatMap(({ children, ...tenant }) => [
    { ...tenant, depth, parentName: parent?.name ?? null },
    ...flattenTenants(children, depth + 1, { ...tenant, children }),
  ]);
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return `Timed out after ${timeoutMs} ms`;
    const cause: unknown = error.cause;
    if (cause instanceof Error && cause.message) return `${error.message}: ${cause.message}`;
    return error.message || error.name;
  }
  return String(error);
}
