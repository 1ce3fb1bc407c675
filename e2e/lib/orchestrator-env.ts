/** The orchestrator's environment in the e2e suites, one replica or several (e2e/lib/cluster.ts). */
export interface SuiteOrchestrator {
  port: number;
  dataDir: string;
  idpOrigin: string;
  realmFile: string;
  shellUrl: string;
  /** Where browsers reach it (the proxy's, in a cluster): the whiteboards' socket URL is built on it. */
  orchestratorUrl: string;
  /** A real Keycloak's issuer and the orchestrator's client secret; the development provider otherwise. */
  keycloak?: { issuer: string; clientSecret: string };
}

export function suiteOrchestratorEnv(o: SuiteOrchestrator): Record<string, string> {
  return {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(o.port),
    DATA_DIR: o.dataDir,
    KEYCLOAK_ISSUER: o.keycloak?.issuer ?? '',
    KEYCLOAK_ADMIN_CLIENT_SECRET: o.keycloak?.clientSecret ?? '',
    SEED_DEMO_DATA: 'true',
    DEV_IDP_PUBLIC_URL: o.idpOrigin,
    REALM_EXPORT_FILE: o.realmFile,
    CORS_ORIGINS: o.shellUrl,
    PUBLIC_URL: o.orchestratorUrl,
    LOG_LEVEL: 'info',
    // The suites' robots read faster than people: a page load is five or more reads (the
    // layout's workspace, modules and each tenant's unread count, then the page's own), and the
    // Shell suite loads over twenty pages a second at its peak (its 404 check), near a person's
    // 600 a minute over the whole run. Four times a person's budget; the budget itself is tested
    // in apps/orchestrator's rate-limit tests.
    RATE_LIMIT_READS: '2400',
  };
}
