import Fastify, { type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, LevelWithSilent } from 'pino';

type Parent = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

/**
 * A request's logger (`request.log`) without a pino child per request. A child serialises its
 * bindings when it is made, on every request whether it logs or not; this one adds the request id
 * to the lines it writes, and makes a real child only when asked for one (or for a route with its
 * own level or serializers). Fastify's `childLoggerFactory`.
 */
export function requestLogger(
  this: unknown,
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  if (options.level || options.serializers) return parent.child(bindings, options);
  return new RequestLogger(parent as Parent, bindings) as unknown as FastifyBaseLogger;
}

/** Its methods live on the prototype: making one per request is one small object. */
class RequestLogger {
  constructor(
    private readonly parent: Parent,
    private readonly bindings: Bindings,
  ) {}

  private write(level: Level, first: unknown, rest: unknown[]): void {
    const { parent, bindings } = this;
    if (!parent.isLevelEnabled(level)) return;
    const log = parent[level].bind(parent) as (...args: unknown[]) => void;
    if (first instanceof Error)
      log({ ...bindings, err: first }, ...(rest.length ? rest : [first.message]));
    else if (typeof first === 'object' && first !== null) log({ ...bindings, ...first }, ...rest);
    else log(bindings, first, ...rest);
  }

  fatal(first: unknown, ...rest: unknown[]): void {
    this.write('fatal', first, rest);
  }
  error(first: unknown, ...rest: unknown[]): void {
    this.write('error', first, rest);
  }
  warn(first: unknown, ...rest: unknown[]): void {
    this.write('warn', first, rest);
  }
  info(first: unknown, ...rest: unknown[]): void {
    this.write('info', first, rest);
  }
  debug(first: unknown, ...rest: unknown[]): void {
    this.write('debug', first, rest);
  }
  trace(first: unknown, ...rest: unknown[]): void {
    this.write('trace', first, rest);
  }

  get level(): LevelWithSilent | string {
    return this.parent.level;
  }

  silent(): void {}

  isLevelEnabled(level: string): boolean {
    return this.parent.isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.parent.child({ ...this.bindings, ...bindings }, options);
  }
}

/**
 * One line per request, when it completes: method, path, route, status and timing with the
 * request id (`request completed`, or `request errored` at error level). Its arrival is logged
 * at debug only: at info, two lines a request doubled the log's volume and its cost.
 */
export class RequestLogController extends Fastify.LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    if (error)
      reply.log.error(
        { req: request, res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      );
    else
      reply.log.info(
        { req: request, res: reply, responseTime: reply.elapsedTime },
        'request completed',
      );
  }
}
