import { buildApp } from './app.ts';
import { composeOrchestrator, loadSettings, type Settings } from './compose.ts';
import { ConfigError } from './config.ts';
import { createLogger } from './logger.ts';
import { startRuntime } from './runtime.ts';

let settings: Settings;
try {
  settings = loadSettings();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`afenda-orchestrator: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
const { config } = settings;

const logger = createLogger(config.LOG_LEVEL);

try {
  const runtime = await startRuntime(config, logger);
  const orchestrator = await composeOrchestrator({
    settings,
    database: runtime.database,
    secrets: runtime.secrets,
    logger,
    databaseUrl: runtime.databaseUrl,
    directory: { sync: runtime.auth.sync, scheduled: runtime.directoryScheduled },
  });
  // Demo data for the tools whenever demo data is asked for (never in production).
  if (runtime.demo) for (const { parts } of orchestrator.modules) await parts.seedDemo?.();
  await orchestrator.start();
  const app = await buildApp({
    config,
    database: runtime.database,
    secrets: runtime.secrets,
    orchestrator,
    moduleSettings: settings.modules,
    logger,
    rateLimitStore: runtime.rateLimitStore,
    auth: runtime.auth,
    redis: runtime.redis,
    databaseProblem: runtime.embedded?.problem,
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info(
    { port, mode: config.embedded ? 'embedded' : 'external database' },
    `orchestrator ready on http://${config.HOST}:${port}`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    try {
      await app.close();
      await orchestrator.stop();
      await runtime.close();
      logger.info('shutdown complete');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
} catch (err) {
  logger.fatal({ err }, `startup failed: ${(err as Error).message}`);
  process.exit(1);
}
