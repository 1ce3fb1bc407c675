/**
 * Whiteboards (tldraw): boards kept in our PostgreSQL with their versions, linked to approvals
 * and conversations, edited live by several people over tldraw's sync protocol.
 */
import websocket from '@fastify/websocket';
import { defineModule } from '@afenda/platform/module';
import { randomBytes } from 'node:crypto';
import { manifest } from '../manifest.ts';
import { LiveSessions } from './live-sessions.ts';
import { activeMembers, recordRevoked } from './revoke.ts';
import { whiteboardRoutes } from './routes/index.ts';
import { whiteboardSettingsSchema } from './settings.ts';
import { TicketIssuer } from './tickets.ts';

export default defineModule({
  manifest,
  settings: whiteboardSettingsSchema,
  // Every replica must sign and check tickets with one secret: a ticket issued by one replica
  // is redeemed by whichever replica the board's socket is routed to (docs/decisions.md).
  checkSettings: (settings, { production }) =>
    production && !settings.WHITEBOARD_TICKET_SECRET
      ? [
          {
            variable: 'WHITEBOARD_TICKET_SECRET',
            problem:
              'is required in production (one secret shared by every replica; openssl rand -base64 32)',
          },
        ]
      : [],
  create({ database, logger, settings, core }) {
    const boardSettings = {
      maxBytes: settings.WHITEBOARD_MAX_BYTES,
      versionIntervalMs: settings.WHITEBOARD_VERSION_INTERVAL_S * 1000,
      maxVersions: settings.WHITEBOARD_MAX_VERSIONS,
    };
    const sessions = new LiveSessions({
      database,
      settings: boardSettings,
      logger,
      persistIntervalMs: settings.WHITEBOARD_PERSIST_INTERVAL_MS,
    });
    // Outside production, a random secret per process (one process, or tests); production
    // refuses to start without the shared one (checkSettings above).
    const tickets = new TicketIssuer(
      settings.WHITEBOARD_TICKET_SECRET
        ? Buffer.from(settings.WHITEBOARD_TICKET_SECRET)
        : randomBytes(32),
      settings.WHITEBOARD_TICKET_TTL_S * 1000,
    );
    return {
      gauges: [
        {
          name: 'whiteboard_live_boards',
          help: 'Whiteboards with a live session (a tldraw room) in this replica',
          read: () => sessions.size,
        },
      ],
      // Offboarding: someone the directory no longer lets in loses their live sessions at once.
      async onDirectoryChanged() {
        const closed = await sessions.revoke((tenantId) => activeMembers(database, tenantId));
        if (closed.length) await recordRevoked(database, closed);
      },
      routes: async (app) => {
        // Live boards write what they hold before the database goes away.
        app.addHook('preClose', () => sessions.closeAll());
        // tldraw chunks large messages; one frame never needs to exceed a whole document.
        await app.register(websocket, {
          options: { maxPayload: settings.WHITEBOARD_MAX_BYTES * 2 },
        });
        await app.register(whiteboardRoutes, {
          database,
          settings: boardSettings,
          sessions,
          tickets,
          publicUrl: core.PUBLIC_URL,
          origins: core.CORS_ORIGINS,
        });
      },
    };
  },
});
