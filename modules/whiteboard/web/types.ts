/**
 * What the whiteboard module's pages need of the Shell (handed in as `shell`): the user, the
 * active tenant, the whiteboard API in it, the server actions on boards, and tldraw's licence.
 */
import type {
  Tenant,
  Whiteboard,
  WhiteboardDetail,
  WhiteboardDocument,
  WhiteboardSubjectType,
  WhiteboardVersion,
} from '@afenda/contracts';
import type { ActionResult, Loaded } from '@afenda/ui';

/** The Shell's server actions on boards, in the active tenant. */
export interface BoardActions {
  createBoard: (previous: ActionResult | null, form: FormData) => Promise<ActionResult>;
  renameBoard: (id: string, title: string) => Promise<ActionResult>;
  deleteBoard: (id: string) => Promise<ActionResult>;
  recoverBoard: (id: string) => Promise<ActionResult>;
  /** The WebSocket URL (with a fresh single-use ticket) for the board's live sync. */
  boardSyncUrl: (id: string) => Promise<ActionResult<string>>;
  boardVersions: (id: string) => Promise<ActionResult<WhiteboardVersion[]>>;
  boardVersionDocument: (id: string, version: number) => Promise<ActionResult<WhiteboardDocument>>;
  restoreBoardVersion: (id: string, version: number) => Promise<ActionResult>;
  keepBoardVersion: (id: string, label: string) => Promise<ActionResult>;
}

export interface WhiteboardShell {
  user: { name: string };
  tenant: Pick<Tenant, 'role'> | null;
  api: {
    whiteboards: {
      list(query?: {
        status?: 'active' | 'deleted';
        subjectType?: WhiteboardSubjectType;
        subjectId?: string;
      }): Promise<Whiteboard[]>;
      get(id: string): Promise<WhiteboardDetail>;
    };
  } | null;
  load<T>(promise: Promise<T>): Promise<Loaded<T>>;
  actions: { whiteboard: BoardActions };
  settings: { tldrawLicenseKey: () => string | undefined };
}
