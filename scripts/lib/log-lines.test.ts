import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script of the start command, without types
import { formatLine, prettyLogs } from './log-lines.mjs';

const at = '2026-12-05T10:03:04.000Z';
const hhmmss = new Date(at).toTimeString().slice(0, 8);

describe('npm start: one readable line per event', () => {
  it('turns a pino request line into time, level, process, message, request and timing', () => {
    const line = JSON.stringify({
      level: 30,
      time: at,
      service: 'afenda-orchestrator',
      requestId: 'r1',
      req: { method: 'GET', path: '/api/v1/tenants' },
      res: { statusCode: 200 },
      responseTime: 12.4,
      msg: 'request completed',
    });
    expect(formatLine(line, 'orchestrator')).toBe(
      `${hhmmss} INFO  orchestrator      request completed  GET /api/v1/tenants  200  12 ms`,
    );
  });

  it('keeps what else an event says, and its error, on the same line', () => {
    const line = JSON.stringify({
      level: 50,
      time: at,
      msg: 'webhook delivery failed',
      deliveryId: 'd-1',
      err: { message: 'boom', stack: 'Error: boom\n    at x' },
    });
    expect(formatLine(line, 'orchestrator')).toBe(
      `${hhmmss} ERROR orchestrator      webhook delivery failed  deliveryId=d-1  error: boom`,
    );
    const colored = formatLine(line, 'orchestrator', { color: true }) as string;
    expect([colored.startsWith('\u001b[31m'), colored.endsWith('\u001b[0m')]).toEqual([true, true]);
  });

  it('gives text from Next.js or Turborepo the process name, and drops empty lines', () => {
    expect(formatLine('✓ Ready in 109ms', 'shell')).toMatch(
      /^\d\d:\d\d:\d\d {7}shell {13}✓ Ready in 109ms$/,
    );
    expect(formatLine('   ', 'shell')).toBeNull();
    expect(formatLine('{not json', 'build')).toMatch(/build {13}\{not json$/);
  });

  it('is for people on a terminal, JSON for collectors, and LOG_FORMAT decides', () => {
    expect(prettyLogs({}, true)).toBe(true);
    expect(prettyLogs({}, false)).toBe(false);
    expect(prettyLogs({ LOG_FORMAT: 'json' }, true)).toBe(false);
    expect(prettyLogs({ LOG_FORMAT: 'pretty' }, false)).toBe(true);
  });
});
