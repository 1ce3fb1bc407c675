export * from './database.ts';
export * from './issuer.ts';
