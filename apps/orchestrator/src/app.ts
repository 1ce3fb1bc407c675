import { ErrorCodes } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import { errorBody } from '@afenda/platform/errors';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { compiledSerializerCompiler } from './lib/serializer.ts';
import { RequestLogController, requestLogger } from './request-log.ts';
import type { Orchestrator } from './compose.ts';
import { setStreamPublishing } from '@afenda/platform/stream/publish';
import { platformRoutes } from './routes/platform.ts';
import { accessRoutes } from './routes/access.ts';
import { identify as identifyCaller, requireAuth } from './auth/plugin.ts';
import type { TokenVerifier } from './auth/verify-token.ts';
import type { DirectorySync } from './domain/identity/sync.ts';
import type { RateLimitStore } from './lib/rate-limit-store.ts';
import errors from './plugins/errors.ts';
import metrics from './plugins/metrics.ts';
import { Gauge } from 'prom-client';
import openapi from './plugins/openapi.ts';
import rateLimit from './plugins/rate-limit.ts';
import requestContext from './plugins/request-context.ts';
import security from './plugins/security.ts';
import storableInput from './plugins/storable-input.ts';
import { apiV1Routes } from './routes/api-v1.ts';
import idempotency from './plugins/idempotency.ts';
import { activityRoutes } from './routes/activity.ts';
import { approvalRoutes } from './routes/approvals.ts';
import { healthRoutes } from './routes/health.ts';
import { tenantRoutes } from './routes/tenants.ts';
import { keycloakWebhookRoutes } from './routes/webhooks-keycloak.ts';
import type { SecretBox } from '@afenda/platform/secrets';
import { moduleSettingsRoutes } from './routes/module-settings.ts';
import { operationsRoutes } from './routes/operations.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import type { Redis } from 'ioredis';
import { PgFanout, RedisFanout } from './domain/stream/fanout.ts';
import { StreamHub } from './domain/stream/hub.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { streamRoutes } from './routes/stream.ts';
import { moduleStateRoutes } from './routes/module-states.ts';

export const VERSION = '0.1.0';

/** Everything the app needs is passed in: tests hand it real test instances. */
export interface AppDeps {
  config: Config;
  database: Database;
  logger: Logger;
  rateLimitStore: RateLimitStore;
  /** Token verification and the directory sync: identity for every /api/v1 route. */
  auth: { verify: TokenVerifier; sync: DirectorySync };
  /**
   * Says who is asking (sets request.auth) before rate limits count. Defaults to bearer-token
   * verification; tests may stand in for it. It identifies only: routes decide.
   */
  identify?: (request: FastifyRequest) => Promise<void>;
  /** The Platform and the modules registered on it (compose.ts). */
  orchestrator: Orchestrator;
  secrets: SecretBox;
  /** Each module's settings slice: manifests name the keys that configure a tool. */
  moduleSettings: Map<string, unknown>;
  /** Redis, when REDIS_URL is set: the live stream's fan-out uses its pub/sub. */
  redis?: Redis;
  /** The embedded PostgreSQL's supervisor: what is wrong with it, for /readyz. */
  databaseProblem?: () => string | undefined;
  /** Extra routes registered inside the same plugin stack (tests use it for probe routes). */
  extraRoutes?: (app: FastifyInstance) => Promise<void> | void;
}

const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, orchestrator } = deps;
  const { platform } = orchestrator;
  const manifests = orchestrator.modules.map((m) => m.module.manifest);
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.API_BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    // Probes poll these every few seconds; logging each would drown the useful lines.
    logController: new RequestLogController({
      requestIdLogLabel: 'requestId',
      disableRequestLogging: (request) => QUIET_ROUTES.has(request.url.split('?')[0] ?? ''),
    }),
    childLoggerFactory: requestLogger,
    // Accept a caller's X-Request-Id when it is a sane token; otherwise make one.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // A URL the router cannot decode (bad percent-encoding) is refused before any hook runs:
    // it still leaves in the envelope.
    frameworkErrors: (error, request, reply) => {
      void (reply as unknown as FastifyReply)
        .status(400)
        .header('x-request-id', request.id)
        .send(
          errorBody(ErrorCodes.BAD_REQUEST, 'The request URL is not valid', {
            reason: error.code,
          }),
        );
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  const serializer =
    config.API_RESPONSE_SERIALIZER ??
    (config.NODE_ENV === 'production' ? 'compiled' : 'validating');
  app.setSerializerCompiler(
    serializer === 'compiled' ? compiledSerializerCompiler : serializerCompiler,
  );
  // The API speaks JSON only: anything else with a body is a 415.
  app.removeContentTypeParser('text/plain');

  // Visible order: cross-cutting plugins, then documentation, then routes.
  await app.register(errors);
  await app.register(requestContext);
  await app.register(security, { corsOrigins: config.CORS_ORIGINS });
  await app.register(metrics, {
    poolStats: () => deps.database.stats(),
    database: deps.database,
    outboundCalls: orchestrator.platform.outbound.calls,
  });
  await app.register(storableInput);
  const identify =
    deps.identify ??
    ((request: FastifyRequest) =>
      identifyCaller({ database: deps.database, ...deps.auth }, request));
  // A person's write holds back new jobs in this process until it is answered (the job
  // workers' share of the event loop and CPU goes to it: packages/platform/src/jobs/interactive-gate.ts).
  // Webhook deliveries are bulk, not a person waiting.
  app.addHook('onRequest', (request, reply, done) => {
    if (
      request.method !== 'GET' &&
      request.method !== 'HEAD' &&
      request.method !== 'OPTIONS' &&
      request.url.startsWith('/api/v1/') &&
      !request.url.startsWith('/api/v1/webhooks/')
    )
      reply.raw.once('close', platform.queue.interactive.enter());
    done();
  });
  // Callback style with a synchronous path: a request without credentials costs no promise.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers.authorization === undefined && !deps.identify) return done();
    identify(request).then(() => done(), done);
  });
  await app.register(requireAuth);
  await app.register(rateLimit, {
    store: deps.rateLimitStore,
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    limits: {
      reads: config.RATE_LIMIT_READS,
      writes: config.RATE_LIMIT_WRITES,
      webhooks: config.RATE_LIMIT_WEBHOOKS,
      login: config.RATE_LIMIT_LOGIN,
    },
    tenantFactor: config.RATE_LIMIT_TENANT_FACTOR,
    onStoreError: (err) => app.log.warn({ err }, 'rate-limit store unavailable; request allowed'),
  });
  await app.register(openapi, {
    version: VERSION,
    publicUrl: config.PUBLIC_URL,
    issuer: config.issuer,
    docsClientId: config.OPENAPI_DOCS_CLIENT_ID,
  });

  await app.register(healthRoutes, {
    database: deps.database,
    databaseProblem: deps.databaseProblem,
  });
  await app.register(apiV1Routes, {
    prefix: '/api/v1',
    version: VERSION,
    mode:
      config.NODE_ENV === 'production'
        ? 'production'
        : config.embedded
          ? 'embedded'
          : config.NODE_ENV,
    modules: manifests,
  });
  await app.register(idempotency, { database: deps.database });
  await app.register(tenantRoutes, { prefix: '/api/v1', database: deps.database });
  await app.register(approvalRoutes, {
    prefix: '/api/v1',
    database: deps.database,
    approvals: platform.approvals,
  });
  await app.register(activityRoutes, { prefix: '/api/v1', database: deps.database });
  await app.register(keycloakWebhookRoutes, {
    prefix: '/api/v1',
    sync: deps.auth.sync,
    secret: config.KEYCLOAK_WEBHOOK_SECRET,
    bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES,
  });
  await app.register(webhookRoutes, {
    prefix: '/api/v1',
    platform,
    bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES,
  });
  await app.register(operationsRoutes, { prefix: '/api/v1', platform });
  await app.register(platformRoutes, { prefix: '/api/v1', orchestrator });
  await app.register(accessRoutes, {
    prefix: '/api/v1',
    database: deps.database,
    access: orchestrator.platform.access,
  });
  const byId = new Map(orchestrator.modules.map((m) => [m.module.manifest.id, m.parts]));
  await app.register(moduleSettingsRoutes, {
    prefix: '/api/v1',
    database: deps.database,
    secrets: deps.secrets,
    modules: manifests,
    check: async (tenantId, module, options) =>
      byId.get(module)?.checkTenantSettings?.(tenantId, options),
    onChange: (tenantId, module) => byId.get(module)?.onTenantSettingsChanged?.(tenantId),
    test: (tenantId, module) => byId.get(module)?.testConnection?.(tenantId),
  });
  // Each tool's own routes, in the modules' order.
  for (const { parts } of orchestrator.modules) {
    if (parts.routes) await app.register(parts.routes, { prefix: '/api/v1' });
    for (const g of parts.gauges ?? [])
      new Gauge({
        name: `afenda_${g.name}`,
        help: g.help,
        registers: [app.metrics],
        collect() {
          this.set(g.read());
        },
      });
  }
  await app.register(notificationRoutes, { prefix: '/api/v1', database: deps.database });
  await app.register(streamRoutes, { prefix: '/api/v1', hub: createStreamHub(deps) });
  await app.register(moduleStateRoutes, {
    prefix: '/api/v1',
    database: deps.database,
    modules: manifests,
    environment: { ...config, ...Object.assign({}, ...deps.moduleSettings.values()) },
    testable: new Set([...byId].filter(([, parts]) => parts.testConnection).map(([id]) => id)),
  });
  if (deps.extraRoutes) await app.register(async (scope) => deps.extraRoutes?.(scope));
  return app;
}

/** The live stream of this app: notifications raised by approvals, fan-out by Redis or Postgres. */
function createStreamHub(deps: AppDeps): StreamHub {
  const { config, logger } = deps;
  setStreamPublishing(config.STREAM_ENABLED);
  const redis = config.STREAM_FANOUT !== 'postgres' ? deps.redis : undefined;
  const fanout = redis
    ? new RedisFanout(redis, logger, config.STREAM_NOTIFY_INTERVAL_MS)
    : new PgFanout(deps.database.pool, logger, config.STREAM_NOTIFY_INTERVAL_MS);
  return new StreamHub({
    database: deps.database,
    logger,
    fanout,
    pollIntervalMs: config.STREAM_POLL_INTERVAL_MS,
    heartbeatMs: config.STREAM_HEARTBEAT_S * 1000,
    retryMs: config.STREAM_RETRY_MS,
    maxBufferBytes: config.STREAM_MAX_BUFFER_BYTES,
    maxConnections: config.STREAM_MAX_CONNECTIONS,
  });
}
