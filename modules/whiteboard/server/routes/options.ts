import type { Database } from '@afenda/db';
import type { LiveSessions } from '../live-sessions.ts';
import type { TicketIssuer } from '../tickets.ts';
import type { WhiteboardSettings } from '../whiteboards.ts';

export interface WhiteboardRouteOptions {
  database: Database;
  settings: WhiteboardSettings;
  sessions: LiveSessions;
  tickets: TicketIssuer;
  /** Where browsers reach this API (PUBLIC_URL): the sync socket's URL is built from it. */
  publicUrl: string;
  /** Browser origins allowed to open a sync socket (CORS_ORIGINS). */
  origins: string[];
}
