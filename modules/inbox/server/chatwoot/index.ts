export * from './signature.ts';
export * from './events.ts';
export * from './chatwoot-api.ts';
