import path from 'node:path';

/** The repository's root: DATA_DIR and REALM_EXPORT_FILE are relative to it. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
