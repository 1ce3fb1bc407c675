import { buildApp } from './app.ts';
import { createIntegrations } from './integrations.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { loadModules } from './lib/modules.ts';
import { createLogger } from './logger.ts';
import { startRuntime } from './runtime.ts';
import { startRoomSweeper } from './domain/rooms/expire-rooms.ts';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`afenda-orchestrator: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger(config.LOG_LEVEL);

try {
  const runtime = await startRuntime(config, logger);
  const integrations = createIntegrations({
    config,
    database: runtime.database,
    secrets: runtime.secrets,
    logger,
    databaseUrl: runtime.databaseUrl,
  });
  await integrations.start();
  const app = await buildApp({
    config,
    database: runtime.database,
    secrets: runtime.secrets,
    integrations,
    logger,
    modules: await loadModules(),
    rateLimitStore: runtime.rateLimitStore,
    auth: runtime.auth,
    redis: runtime.redis,
  });
  const sweeper = startRoomSweeper({
    database: runtime.database,
    logger,
    intervalS: config.ROOM_SWEEP_INTERVAL_S,
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
      await sweeper.stop();
      await integrations.stop();
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
