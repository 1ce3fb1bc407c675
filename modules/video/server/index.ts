/**
 * Consultation rooms (Jitsi Meet): a room opens when a consultation_room request is approved,
 * or at once for owners, admins and approvers; each participant joins with a short-lived Jitsi
 * token; rooms expire on a schedule.
 */
import { defineModule } from '@afenda/platform/module';
import { manifest } from '../manifest.ts';
import { consultationRoomEffect } from './approval-effect.ts';
import { consultationRoomApproval } from './approval-type.ts';
import { expireRoomsJob } from './expire-rooms.ts';
import { removeOffboardedParticipants } from './offboard.ts';
import { roomRoutes } from './routes.ts';
import { testJitsiConnection } from './connection-test.ts';
import { jitsiProblems, videoSettingsSchema } from './settings.ts';

export default defineModule({
  manifest,
  settings: videoSettingsSchema,
  checkSettings: jitsiProblems,
  create({ database, logger, settings, fetch }) {
    return {
      testConnection: () => testJitsiConnection(settings, { fetch }),
      // Offboarding: who lost access leaves the tenant's open rooms (and gets no new token).
      async onDirectoryChanged() {
        await removeOffboardedParticipants(database);
      },
      routes: async (app) => {
        await app.register(roomRoutes, { database, settings });
      },
      approvalTypes: [consultationRoomApproval],
      approvalHooks: [
        {
          event: 'decided',
          type: 'consultation_room',
          name: 'video.open-room',
          run: consultationRoomEffect(settings.ROOM_TTL_MINUTES),
        },
      ],
      jobs: [
        expireRoomsJob({
          database,
          logger: logger.child({ module: 'video' }),
          schedule: settings.ROOM_EXPIRY_SCHEDULE,
        }),
      ],
    };
  },
});
