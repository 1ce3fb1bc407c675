/**
 * Team chat (Matrix, Synapse, Element): the orchestrator as Synapse's application service.
 * Every organisation gets a space, an organisation-wide room and a room per team, created and
 * kept in step with the directory by the orchestrator's bot (reconcile.ts); Synapse's
 * transactions are stored like every webhook delivery and put on the timeline and the bell
 * (transactions.ts); approvals are announced to their deciders and decided from chat
 * (decisions.ts). Calls into Synapse go through the outbox.
 */
import type { Tx } from '@afenda/db';
import { defineModule } from '@afenda/platform/module';
import { inArray } from 'drizzle-orm';
import { manifest } from '../manifest.ts';
import { directEvents, noticeHandlers, onDecided, onSubmitted } from './decisions.ts';
import { readDirectory } from './directory.ts';
import { MatrixClient } from './matrix/client.ts';
import { matrixAccessTool } from './reconcile.ts';
import { chatRoomRoutes, matrixTransactionRoutes } from './routes.ts';
import { chatRooms } from './schema.ts';
import { chatSettingsSchema, matrixMissing, matrixProblems } from './settings.ts';
import { processTransaction } from './transactions.ts';
import { matrixSource } from './webhook-source.ts';
import { testMatrixConnection } from './connection-test.ts';
import { matrixConnector } from './connect-cli.ts';

export default defineModule({
  manifest,
  settings: chatSettingsSchema,
  checkSettings: matrixProblems,
  connectors: [matrixConnector],
  create({ platform, database, logger, settings, core, fetch }) {
    const missing = matrixMissing(settings);
    const configured = missing.length === 0;
    const serverName = settings.MATRIX_SERVER_NAME ?? 'unconfigured.invalid';
    const botUserId = `@${settings.MATRIX_BOT_LOCALPART}:${serverName}`;
    // The Setup state's "Synapse isn't answering": the last call's failure, until one succeeds.
    let failing: { since: string; error: string } | null = null;
    const failed = (error: string) => (failing ??= { since: new Date().toISOString(), error });
    const watched: typeof fetch = async (input, init) => {
      try {
        const res = await fetch(input, init);
        if (res.status >= 500) failed(`Synapse answered ${res.status}`);
        else failing = null;
        return res;
      } catch (err) {
        failed((err as Error).message);
        throw err;
      }
    };
    let client: MatrixClient | undefined;
    const roomTenants = new Map<string, string>();
    const matrix = () => {
      if (!configured) throw new Error(`Matrix is not configured: set ${missing.join(', ')}`);
      client ??= new MatrixClient({
        baseUrl: settings.MATRIX_HOMESERVER_URL!,
        serverName,
        asToken: settings.MATRIX_AS_TOKEN!,
        botLocalpart: settings.MATRIX_BOT_LOCALPART,
        fetch: watched,
      });
      return client;
    };
    const decisions = {
      database,
      types: platform.approvals,
      client: matrix,
      serverName,
      shellUrl: settings.SHELL_PUBLIC_URL,
    };

    return {
      testConnection: () =>
        testMatrixConnection({
          missing,
          baseUrl: settings.MATRIX_HOMESERVER_URL,
          client: matrix,
          botUserId,
        }),
      webhookSources: [
        matrixSource({
          hsToken: settings.MATRIX_WEBHOOK_TOKEN,
          async tenantOf(roomIds) {
            // A managed room never changes tenant: known ones are answered from memory.
            for (const id of roomIds) {
              const known = roomTenants.get(id);
              if (known) return known;
            }
            const rows = await database.transaction({ service: 'jobs' }, (tx) =>
              tx
                .select({ roomId: chatRooms.roomId, tenantId: chatRooms.tenantId })
                .from(chatRooms)
                .where(inArray(chatRooms.roomId, roomIds)),
            );
            for (const r of rows)
              if (roomTenants.size < 100_000) roomTenants.set(r.roomId, r.tenantId);
            return rows[0]?.tenantId ?? null;
          },
          process: (tx: Tx, body, tenantId) =>
            processTransaction(
              {
                botUserId,
                serverName,
                onDirectEvent: directEvents(decisions),
                async desiredMembers(room) {
                  const [plan] = await readDirectory(
                    database,
                    serverName,
                    room.orgTenantId ?? room.tenantId,
                  );
                  const wanted = plan?.rooms.find(
                    (r) => r.tenantId === room.tenantId && r.kind === room.kind,
                  );
                  return wanted?.members ?? new Map();
                },
              },
              tx,
              body,
              tenantId,
            ),
        }),
      ],
      outboundHandlers: noticeHandlers(decisions),
      accessTools: [
        matrixAccessTool({ database, serverName, client: matrix, configured: () => configured }),
      ],
      approvalHooks: configured
        ? [
            { event: 'submitted', type: '*', name: 'chat.notify-deciders', run: onSubmitted },
            { event: 'decided', type: '*', name: 'chat.announce-outcome', run: onDecided },
          ]
        : [],
      async start() {
        if (!configured)
          logger.info({ missing }, 'Matrix is not connected; team chat rooms are not managed');
        // Connected: the access reconcile (at start, on its schedule and on every directory
        // change) creates and keeps the rooms.
      },
      routes: async (app) => {
        await app.register(matrixTransactionRoutes, { platform, bodyLimit: core.webhookBodyLimit });
        await app.register(chatRoomRoutes, {
          database,
          status: () => ({
            configured,
            missing,
            elementUrl: settings.ELEMENT_URL ?? null,
            failing,
          }),
        });
      },
    };
  },
});
