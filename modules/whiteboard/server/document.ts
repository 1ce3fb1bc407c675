import type { WhiteboardDocument } from '@afenda/contracts';
import type { StoredWhiteboardDocument } from './schema.ts';
import type { SerializedSchema, StoreSnapshot } from '@tldraw/store';
import { InMemorySyncStorage, type RoomSnapshot } from '@tldraw/sync-core';
import { createTLSchema, type TLRecord } from '@tldraw/tlschema';
import { AppError } from '@afenda/platform/errors';

/** The record types tldraw ships (default shapes, bindings and assets): what boards may hold. */
export const tldrawSchema = createTLSchema();

/** The document as JSON text, in bytes: what the size limit counts. */
export const documentBytes = (document: unknown): number =>
  Buffer.byteLength(JSON.stringify(document), 'utf8');

export function tooLarge(sizeBytes: number, limitBytes: number): AppError {
  return new AppError(
    'WHITEBOARD_TOO_LARGE',
    413,
    `The board would be ${formatBytes(sizeBytes)}, over its limit of ${formatBytes(limitBytes)}: nothing was saved. Remove some content (large images first) and try again.`,
    { sizeBytes, limitBytes },
  );
}

export const formatBytes = (n: number): string =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;

/** tldraw's room snapshot (clocks, tombstones) to the portable store snapshot we keep. */
export function fromRoomSnapshot(snapshot: RoomSnapshot): StoredWhiteboardDocument {
  const store: Record<string, Record<string, unknown>> = {};
  for (const { state } of snapshot.documents) {
    const record = state as unknown as TLRecord;
    // Only document records are kept: presence and session state belong to a connection.
    if (tldrawSchema.types[record.typeName]?.scope !== 'document') continue;
    store[record.id] = record as unknown as Record<string, unknown>;
  }
  return { schema: snapshot.schema as unknown as Record<string, unknown>, store };
}

let empty: StoredWhiteboardDocument | undefined;
/** A new board: tldraw's initial document (one document record, one page). */
export function emptyDocument(): StoredWhiteboardDocument {
  empty ??= fromRoomSnapshot(new InMemorySyncStorage<TLRecord>().getSnapshot());
  return structuredClone(empty);
}

const invalid = (message: string, details: Record<string, unknown>) =>
  new AppError('WHITEBOARD_DOCUMENT_INVALID', 400, message, details);

/**
 * A document fit to store: its schema must be one tldraw can migrate from, and after migrating
 * to the current schema every record must pass tldraw's own validator for its type and be a
 * document record under its own id. Returns the migrated document; throws a 400 otherwise.
 */
export function validateDocument(document: WhiteboardDocument): StoredWhiteboardDocument {
  for (const [key, record] of Object.entries(document.store)) {
    if (record.id !== key)
      throw invalid(`Record "${key}" is stored under another id ("${record.id}")`, {
        recordId: key,
      });
  }
  const result = tldrawSchema.migrateStoreSnapshot({
    schema: document.schema as unknown as SerializedSchema,
    store: document.store as unknown as StoreSnapshot<TLRecord>['store'],
  });
  if (result.type === 'error') {
    throw invalid(
      result.reason === 'target-version-too-old'
        ? 'The document was written by a newer tldraw than this server knows'
        : 'The document cannot be read by this server: its schema or a record could not be migrated',
      { reason: result.reason },
    );
  }
  const store = result.value as Record<string, TLRecord>;
  let documents = 0;
  let pages = 0;
  for (const [id, record] of Object.entries(store)) {
    const type = tldrawSchema.types[record.typeName];
    if (!type || type.scope !== 'document') {
      throw invalid(`Record "${id}" has a type a board cannot hold ("${record.typeName}")`, {
        recordId: id,
        typeName: record.typeName,
      });
    }
    try {
      type.validate(record);
    } catch (err) {
      throw invalid(`Record "${id}" is not a valid ${record.typeName}`, {
        recordId: id,
        typeName: record.typeName,
        problem: err instanceof Error ? err.message.slice(0, 500) : String(err),
      });
    }
    if (record.typeName === 'document') documents++;
    if (record.typeName === 'page') pages++;
  }
  if (documents !== 1 || pages < 1) {
    throw invalid('A board needs exactly one document record and at least one page', {
      documents,
      pages,
    });
  }
  return {
    schema: tldrawSchema.serialize() as unknown as Record<string, unknown>,
    store: store as unknown as Record<string, Record<string, unknown>>,
  };
}
