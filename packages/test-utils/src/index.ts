export * from './database.ts';
export * from './issuer.ts';
export * from './logout-receiver.ts';
