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

const isCounts = (v: unknown, nested: boolean): boolean =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every((n) =>
    nested
      ? typeof n === 'object' &&
        n !== null &&
        Number.isInteger((n as { version?: unknown }).version)
      : Number.isInteger(n),
  );

/**
 * The two serialized schema formats tldraw has written (1: record versions, 2: migration
 * sequences), checked before its migrations read them: they assume the shape and throw if not.
 */
function isSerializedSchema(schema: SerializedSchema): boolean {
  if (schema.schemaVersion === 1)
    return Number.isInteger(schema.storeVersion) && isCounts(schema.recordVersions, true);
  if (schema.schemaVersion === 2) return isCounts(schema.sequences, false);
  return true; // a newer format: migrateStoreSnapshot answers with an error itself
}

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
  const schema = document.schema as unknown as SerializedSchema;
  if (!isSerializedSchema(schema))
    throw invalid(
      `The document's schema is not one tldraw wrote: version ${schema.schemaVersion} needs ${schema.schemaVersion === 1 ? 'storeVersion and recordVersions' : 'sequences'}`,
      { reason: 'malformed-schema', schemaVersion: schema.schemaVersion },
    );
  let result: ReturnType<typeof tldrawSchema.migrateStoreSnapshot>;
  try {
    // tldraw's own migrations bring a document of an older schema up to the current one.
    result = tldrawSchema.migrateStoreSnapshot({
      schema,
      store: document.store as unknown as StoreSnapshot<TLRecord>['store'],
    });
  } catch (err) {
    // A migration that throws on a record it did not expect: the document is unreadable here.
    throw invalid('The document cannot be read by this server: a record could not be migrated', {
      reason: 'migration-failed',
      problem: err instanceof Error ? err.message.slice(0, 500) : String(err),
    });
  }
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
