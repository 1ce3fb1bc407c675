import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs. Requests are logged as method, route, status and timing with the request
 * id; headers that carry credentials are redacted, and bodies are never logged.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'afenda-orchestrator' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          'req.headers["api_access_token"]',
          'req.headers["webhook-signature"]',
          'res.headers["set-cookie"]',
          '*.password',
          '*.token',
          '*.secret',
          '*.apiToken',
          '*.webhookSecret',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: {
          method: string;
          url: string;
          routeOptions?: { url?: string };
          ip?: string;
        }) => ({
          method: req.method,
          // The path only: query strings can carry tokens.
          path: req.url.split('?')[0],
          route: req.routeOptions?.url,
          remoteAddress: req.ip,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}
