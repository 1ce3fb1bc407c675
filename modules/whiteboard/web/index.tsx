/** The whiteboard module's Shell UI (tldraw): /app/whiteboard, one board, and linked boards. */
import type { ModuleWeb } from '@afenda/ui';

import { manifest } from '../manifest';
import { boardPage } from './board-page';
import { LinkedWhiteboards } from './linked-boards';
import type { WhiteboardShell } from './types';
import { whiteboardPage } from './whiteboard-page';

export const web: ModuleWeb<WhiteboardShell, unknown> = {
  manifest,
  pages: { '': whiteboardPage, ':id': boardPage },
  subjectPanel: ({ subject, shell }) => (
    <LinkedWhiteboards subjectType={subject.type} subjectId={subject.id} shell={shell} />
  ),
};
