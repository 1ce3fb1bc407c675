export * from './envelope.ts';
export * from './modules.ts';
export * from './system.ts';
export * from './identity.ts';
export * from './tenants.ts';
export * from './approvals.ts';
export * from './conversations.ts';
export * from './notifications.ts';
