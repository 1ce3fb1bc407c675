import type { WhiteboardSyncNotice } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import type { StoredWhiteboardDocument } from './schema.ts';
import {
  InMemorySyncStorage,
  TLSocketRoom,
  TLSyncErrorCloseEventReason,
  type WebSocketMinimal,
} from '@tldraw/sync-core';
import type { TLRecord } from '@tldraw/tlschema';
import type { Logger } from 'pino';
import { AppError } from '@afenda/platform/errors';
import { persistLiveDocument, readDocument } from './boards.ts';
import { documentBytes, formatBytes, fromRoomSnapshot, tldrawSchema } from './document.ts';
import type { WhiteboardSettings } from './whiteboards.ts';

/** A socket as ws gives it: what TLSocketRoom needs, and its close event. */
export type LiveSocket = WebSocketMinimal & {
  readyState: number;
  on(event: 'close', listener: () => void): unknown;
};

interface SessionMeta {
  userId: string;
}

export interface LiveSessionsOptions {
  database: Database;
  settings: WhiteboardSettings;
  logger: Logger;
  /** Live edits reach PostgreSQL at most this often per board (and at the last disconnect). */
  persistIntervalMs: number;
}

/**
 * One live board: tldraw's TLSocketRoom over an in-memory storage seeded from PostgreSQL.
 * Changes are written back throttled (one write per interval while people draw), at once when
 * the last socket closes, and when the server shuts down.
 */
class LiveBoard {
  readonly storage: InMemorySyncStorage<TLRecord>;
  readonly room: TLSocketRoom<TLRecord, SessionMeta>;
  private savedClock: number;
  private saved: StoredWhiteboardDocument;
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private lastEditor: string | null = null;
  sockets = 0;
  /** Set once the room is on its way out: no new sockets join it. */
  closing: Promise<void> | undefined;
  /** The board may no longer be written (deleted meanwhile): nothing more is saved. */
  private gone = false;

  constructor(
    readonly tenantId: string,
    readonly boardId: string,
    document: StoredWhiteboardDocument,
    private readonly options: LiveSessionsOptions,
    private readonly onClosed: (board: LiveBoard) => void,
  ) {
    this.saved = document;
    this.storage = new InMemorySyncStorage<TLRecord>();
    this.room = new TLSocketRoom<TLRecord, SessionMeta>({
      storage: this.storage,
      schema: tldrawSchema,
      log: {
        warn: (...args: unknown[]) => options.logger.warn({ boardId, args }, 'tldraw sync'),
        error: (...args: unknown[]) => options.logger.error({ boardId, args }, 'tldraw sync'),
      },
      onAfterReceiveMessage: ({ meta }) => {
        this.lastEditor = meta.userId;
      },
      onSessionRemoved: (_room, { numSessionsRemaining }) => {
        if (numSessionsRemaining === 0 && this.sockets === 0) void this.close();
      },
    });
    this.room.loadSnapshot(document as never);
    this.savedClock = this.storage.getClock();
    this.storage.onChange(() => this.schedule());
  }

  connect(
    sessionId: string,
    socket: LiveSocket,
    meta: SessionMeta,
    readonly: boolean,
    early: string[],
  ) {
    if (socket.readyState !== 1) return; // gone while the room opened
    this.sockets++;
    socket.on('close', () => {
      this.sockets--;
      // The last editor left: write now rather than at the end of the interval.
      if (this.sockets === 0) void this.flush();
    });
    this.room.handleSocketConnect({ sessionId, socket, meta, isReadonly: readonly });
    for (const message of early) this.room.handleSocketMessage(sessionId, message);
  }

  private schedule(): void {
    if (this.timer || this.closing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.persistIntervalMs);
  }

  /** Writes the room's document if it changed since the last write; one write at a time. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.saving = this.saving.then(() => this.save());
    return this.saving;
  }

  private async save(): Promise<void> {
    const clock = this.storage.getClock();
    if (this.gone || clock === this.savedClock) return;
    const document = fromRoomSnapshot(this.storage.getSnapshot());
    const bytes = documentBytes(document);
    const { settings, database, logger } = this.options;
    if (bytes > settings.maxBytes) {
      // Never a silent loss: the change that went over the limit is undone for everyone, and
      // everyone is told why. The board stays as it was last saved.
      this.notify({
        type: 'afenda.notice',
        code: 'WHITEBOARD_TOO_LARGE',
        message: `That change would make the board ${formatBytes(bytes)}, over its limit of ${formatBytes(settings.maxBytes)}; it was undone. Remove some content (large images first).`,
        details: { sizeBytes: bytes, limitBytes: settings.maxBytes },
      });
      this.replace(this.saved);
      return;
    }
    try {
      await persistLiveDocument(
        database,
        this.tenantId,
        this.boardId,
        document,
        bytes,
        this.lastEditor,
        settings,
      );
      this.saved = document;
      this.savedClock = clock;
    } catch (err) {
      if (err instanceof AppError && err.statusCode < 500) {
        // Deleted or gone meanwhile: nobody may keep editing it.
        logger.info({ boardId: this.boardId, code: err.code }, 'whiteboard closed: not writable');
        this.shut(TLSyncErrorCloseEventReason.NOT_FOUND);
        return;
      }
      logger.error({ err, boardId: this.boardId }, 'whiteboard save failed; will retry');
      this.notify({
        type: 'afenda.notice',
        code: 'WHITEBOARD_SAVE_FAILED',
        message: 'The board could not be saved just now; retrying. Keep this tab open.',
        details: {},
      });
      this.schedule();
    }
  }

  /** Replaces the room's document (a restore or a save through the API): editors see it live. */
  replace(document: StoredWhiteboardDocument): void {
    this.room.loadSnapshot(document as never);
    this.saved = document;
    // Written back once more: a save of the room that raced with the change outside it must
    // not have the last word in PostgreSQL.
    void this.flush();
  }

  private notify(notice: WhiteboardSyncNotice): void {
    for (const s of this.room.getSessions())
      if (s.isConnected) this.room.sendCustomMessage(s.sessionId, notice);
  }

  /** Disconnects everyone for good (the board was deleted). */
  shut(reason: string): void {
    this.gone = true;
    for (const s of this.room.getSessions()) this.room.closeSession(s.sessionId, reason);
    void this.close();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.flush();
      this.room.close();
      this.onClosed(this);
    })();
    return this.closing;
  }
}

/** The live boards of this process, by tenant and board. */
export class LiveSessions {
  private readonly boards = new Map<string, Promise<LiveBoard>>();

  constructor(private readonly options: LiveSessionsOptions) {}

  private static key(tenantId: string, boardId: string) {
    return `${tenantId}/${boardId}`;
  }

  /** Joins the socket to the board's room, opening the room from PostgreSQL if needed. */
  async connect(options: {
    tenantId: string;
    boardId: string;
    userId: string;
    readonly: boolean;
    sessionId: string;
    socket: LiveSocket;
    /** Messages that arrived before the room was open, in order. */
    early: string[];
  }): Promise<void> {
    let board = await this.open(options.tenantId, options.boardId);
    // A room that is closing is left to finish its last write; the next one reads it back.
    while (board.closing) {
      await board.closing;
      board = await this.open(options.tenantId, options.boardId);
    }
    board.connect(
      // Scoped by user: one user cannot take over another's session by guessing its id.
      `${options.userId}:${options.sessionId}`,
      options.socket,
      { userId: options.userId },
      options.readonly,
      options.early,
    );
  }

  private open(tenantId: string, boardId: string): Promise<LiveBoard> {
    const key = LiveSessions.key(tenantId, boardId);
    const existing = this.boards.get(key);
    if (existing) return existing;
    const opening: Promise<LiveBoard> = readDocument(this.options.database, tenantId, boardId).then(
      (document) =>
        new LiveBoard(tenantId, boardId, document, this.options, () => {
          if (this.boards.get(key) === opening) this.boards.delete(key);
        }),
    );
    this.boards.set(key, opening);
    opening.catch(() => this.boards.delete(key));
    return opening;
  }

  private live(tenantId: string, boardId: string): Promise<LiveBoard> | undefined {
    return this.boards.get(LiveSessions.key(tenantId, boardId));
  }

  /** The document changed outside the room (restore, API save): show it to the editors. */
  async replaced(tenantId: string, boardId: string, document: StoredWhiteboardDocument) {
    const board = await this.live(tenantId, boardId)?.catch(() => undefined);
    board?.replace(document);
  }

  /** The board went to the bin: its editors are disconnected. */
  async deleted(tenantId: string, boardId: string) {
    const board = await this.live(tenantId, boardId)?.catch(() => undefined);
    board?.shut(TLSyncErrorCloseEventReason.NOT_FOUND);
  }

  /**
   * Offboarding: closes the live sessions of editors the directory no longer lets into the
   * board's tenant (removed, or disabled in Keycloak). Returns how many were closed.
   */
  async revoke(
    stillAllowed: (tenantId: string) => Promise<Set<string>>,
  ): Promise<Array<{ tenantId: string; boardId: string; userId: string }>> {
    const closed: Array<{ tenantId: string; boardId: string; userId: string }> = [];
    const boards = await Promise.allSettled([...this.boards.values()]);
    const allowed = new Map<string, Set<string>>();
    for (const b of boards) {
      if (b.status !== 'fulfilled') continue;
      const board = b.value;
      if (!allowed.has(board.tenantId))
        allowed.set(board.tenantId, await stillAllowed(board.tenantId));
      const members = allowed.get(board.tenantId)!;
      for (const session of board.room.getSessions()) {
        if (members.has(session.meta.userId)) continue;
        board.room.closeSession(session.sessionId, TLSyncErrorCloseEventReason.FORBIDDEN);
        closed.push({
          tenantId: board.tenantId,
          boardId: board.boardId,
          userId: session.meta.userId,
        });
      }
    }
    return closed;
  }

  /** Number of boards open in this process. */
  get size(): number {
    return this.boards.size;
  }

  /** Shutdown: every room writes what it has, then closes. */
  async closeAll(): Promise<void> {
    const boards = await Promise.allSettled([...this.boards.values()]);
    await Promise.allSettled(
      boards.map((b) => (b.status === 'fulfilled' ? b.value.close() : undefined)),
    );
  }
}
