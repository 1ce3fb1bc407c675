export * from './client.ts';
export * from './migrate.ts';
export * from './embedded.ts';
export * as schema from './schema/index.ts';
