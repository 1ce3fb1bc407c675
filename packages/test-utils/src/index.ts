export * from './database.ts';
export * from './issuer.ts';
export * from './logout-receiver.ts';
export * from './chatwoot.ts';
export * from './chatwoot-double.ts';
export * from './chatwoot-platform-double.ts';
