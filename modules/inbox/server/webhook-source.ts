/**
 * Chatwoot as a webhook source: the account in the payload names the organisation (Inbox
 * module settings), whose webhook secret checks X-Chatwoot-Signature over the raw bytes with
 * a ±CHATWOOT_SIGNATURE_TOLERANCE_S timestamp window. An account no organisation claims yet is
 * stored unmapped (never dropped) and verified when it is replayed after the mapping exists.
 */
import {
  CHATWOOT_EVENTS,
  HANDLED_EVENTS,
  conversationEvent,
  deliveryHead,
  messageEvent,
  verifyChatwootSignature,
  type ChatwootEvent,
} from './chatwoot/index.ts';
import { findUnstorableText } from '@afenda/contracts';
import type { Tx } from '@afenda/db';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { AppError } from '@afenda/platform/errors';
import type { ConversationEffects } from './mirror.ts';
import type { ChatwootAccount, ChatwootAccounts } from './accounts.ts';
import {
  parseJsonBody,
  type Accepted,
  type DeliveryRow,
  type Outcome,
  type WebhookSource,
} from '@afenda/platform/webhooks/deliveries';

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * What Chatwoot signs, `<timestamp>.<raw body>`, hashed: the same signed payload again under a
 * new X-Chatwoot-Delivery is a replay (a captured delivery re-sent within the tolerance), which
 * the engine answers as the duplicate it is.
 */
const signedPayloadHash = (timestamp: string, rawBody: Buffer): string =>
  createHash('sha256').update(`${timestamp}.`).update(rawBody).digest('hex');

const schemaFor = (event: ChatwootEvent): z.ZodType | undefined =>
  event.startsWith('message_')
    ? messageEvent
    : event.startsWith('conversation_') && !event.startsWith('conversation_typing')
      ? conversationEvent
      : undefined;

export interface ChatwootSourceOptions {
  accounts: ChatwootAccounts;
  effects: ConversationEffects;
  toleranceS: number;
  allowUnsigned: boolean;
}

export function chatwootSource(options: ChatwootSourceOptions): WebhookSource {
  const { accounts } = options;
  return {
    name: 'chatwoot',

    async accept({ headers, rawBody, now }): Promise<Accepted> {
      const deliveryId = header(headers, 'x-chatwoot-delivery');
      if (!deliveryId || !DELIVERY_ID.test(deliveryId)) {
        throw new AppError(
          'WEBHOOK_DELIVERY_ID_MISSING',
          400,
          'X-Chatwoot-Delivery must carry the delivery id',
        );
      }
      const body = parseJsonBody(rawBody);
      const head = deliveryHead.safeParse(body);
      if (!head.success) {
        throw new AppError('WEBHOOK_PAYLOAD_INVALID', 400, 'The payload has no event name', {
          fields: head.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
        });
      }
      const event = head.data.event;
      if (!(CHATWOOT_EVENTS as readonly string[]).includes(event)) {
        throw new AppError('WEBHOOK_EVENT_UNKNOWN', 422, `Chatwoot sends no "${event}" event`, {
          allowed: CHATWOOT_EVENTS,
        });
      }
      const accountId = head.data.account?.id ?? head.data.account_id;
      if (accountId === undefined) {
        throw new AppError('WEBHOOK_PAYLOAD_INVALID', 400, 'The payload names no account', {
          fields: [{ field: 'account.id', message: 'Required' }],
        });
      }
      const signature = header(headers, 'x-chatwoot-signature') ?? null;
      const timestamp = header(headers, 'x-chatwoot-timestamp');
      const base = {
        deliveryId,
        eventType: event,
        accountRef: String(accountId),
        signature,
        signedAt:
          timestamp && /^\d{1,12}$/.test(timestamp) ? new Date(Number(timestamp) * 1000) : null,
        replayKey: signature && timestamp ? signedPayloadHash(timestamp, rawBody) : null,
      };
      const unsignedOk = !signature && !timestamp && options.allowUnsigned;
      const check = (a: ChatwootAccount | null) =>
        !a || unsignedOk || !a.webhookSecret
          ? undefined
          : verifyChatwootSignature({
              secret: a.webhookSecret,
              rawBody,
              signature: signature ?? undefined,
              timestamp,
              now,
              toleranceS: options.toleranceS,
            });
      let account = await accounts.lookup(accountId);
      let checked = check(account);
      // Several replicas: another one may have connected the account (a fresh secret) since
      // this one cached it. Unknown, or a refused signature: look again, once, at what is stored.
      if (!account || (!unsignedOk && !checked?.ok)) {
        const stored = await accounts.fresh(accountId);
        if (stored && stored !== account) {
          account = stored;
          checked = check(stored);
        }
      }
      if (!account) {
        return {
          ...base,
          tenantId: null,
          verified: false,
          status: 'unmapped',
          reason: `Chatwoot account ${accountId} is not mapped to an organisation (Inbox settings: options.accountId)`,
        };
      }
      let verified = false;
      if (unsignedOk) {
        verified = false; // an old Chatwoot: allowed by setting, recorded as unverified
      } else if (!checked) {
        throw new AppError(
          'WEBHOOK_NOT_CONFIGURED',
          401,
          `No webhook secret is set for Chatwoot account ${accountId}`,
        );
      } else {
        if (!checked.ok) throw new AppError(checked.code, 401, checked.message);
        verified = true;
      }
      const accepted: Accepted = {
        ...base,
        tenantId: account.tenantId,
        verified,
        status: 'received',
      };
      // Chatwoot keeps its data in PostgreSQL too: a NUL (escaped in the JSON) is never in a
      // real delivery, and the mirror could not store it. Kept as received, not acted on.
      const unstorable = findUnstorableText(body);
      if (unstorable) {
        const message = `${unstorable.path || 'the payload'} ${unstorable.message}`;
        return {
          ...accepted,
          status: 'ignored',
          reason: `unusable ${event}: ${message}`.slice(0, 1000),
          refusal: {
            code: 'WEBHOOK_PAYLOAD_INVALID',
            message: `The ${event} payload holds text that cannot be stored; it is stored with the reason`,
            details: { fields: [{ field: unstorable.path, message: unstorable.message }] },
          },
        };
      }
      const schema = schemaFor(event as ChatwootEvent);
      if (!HANDLED_EVENTS.has(event as ChatwootEvent)) {
        return { ...accepted, status: 'ignored', reason: `${event} is stored, not acted on` };
      }
      const parsed = schema?.safeParse(body);
      if (parsed && !parsed.success) {
        const fields = parsed.error.issues
          .slice(0, 20)
          .map((i) => ({ field: i.path.join('.'), message: i.message }));
        return {
          ...accepted,
          status: 'ignored',
          reason:
            `unusable ${event}: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`.slice(
              0,
              1000,
            ),
          refusal: {
            code: 'WEBHOOK_PAYLOAD_INVALID',
            message: `The ${event} payload lacks fields we need; it is stored with the reason`,
            details: { fields },
          },
        };
      }
      return accepted;
    },

    async resolve(row: DeliveryRow) {
      const account = await accounts.lookup(Number(row.accountRef));
      if (!account) return { reason: `Chatwoot account ${row.accountRef} is still not mapped` };
      if (!account.webhookSecret) {
        if (options.allowUnsigned && !row.signature)
          return { tenantId: account.tenantId, verified: false };
        return { reason: `No webhook secret is set for Chatwoot account ${row.accountRef}` };
      }
      // Checked against the time it arrived: a replay later is not a stale delivery.
      const check = verifyChatwootSignature({
        secret: account.webhookSecret,
        rawBody: row.body,
        signature: row.signature ?? undefined,
        timestamp: row.signedAt ? String(Math.floor(row.signedAt.getTime() / 1000)) : undefined,
        now: row.receivedAt,
        toleranceS: options.toleranceS,
      });
      if (!check.ok) return { reason: `${check.code}: ${check.message}` };
      return { tenantId: account.tenantId, verified: true };
    },

    async process(tx: Tx, row: DeliveryRow): Promise<Outcome> {
      const body = JSON.parse(row.body) as unknown;
      const tenantId = row.tenantId as string;
      const account = await accounts.lookup(Number(row.accountRef));
      switch (row.eventType) {
        case 'message_created':
        case 'message_updated':
          return options.effects.onMessage(tx, tenantId, messageEvent.parse(body), row);
        case 'conversation_created':
        case 'conversation_updated':
        case 'conversation_status_changed':
          return options.effects.onConversation(
            tx,
            tenantId,
            conversationEvent.parse(body),
            row,
            account?.escalationRequester ?? null,
          );
        default:
          return { status: 'ignored', reason: `${row.eventType} is stored, not acted on` };
      }
    },
  };
}
