import { ErrorCodes } from '@afenda/contracts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { AppError, errorBody } from '@afenda/platform/errors';

// OPTIONS is answered for every path by CORS preflight and HEAD follows GET: neither counts for 405.
const METHODS: HTTPMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

const STATUS_CODES: Record<number, string> = {
  400: ErrorCodes.BAD_REQUEST,
  401: ErrorCodes.UNAUTHENTICATED,
  403: ErrorCodes.FORBIDDEN,
  404: ErrorCodes.NOT_FOUND,
  405: ErrorCodes.METHOD_NOT_ALLOWED,
  409: ErrorCodes.CONFLICT,
  413: ErrorCodes.PAYLOAD_TOO_LARGE,
  415: ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCodes.RATE_LIMITED,
  503: ErrorCodes.SERVICE_UNAVAILABLE,
};

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function validationFields(error: FastifyError): { field: string; message: string }[] {
  const context =
    (error as FastifyError & { validationContext?: string }).validationContext ?? 'body';
  return ((error.validation ?? []) as ValidationIssue[]).map((issue) => {
    const path = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    const missing = issue.params?.missingProperty;
    const field = [context, path, typeof missing === 'string' ? missing : '']
      .filter(Boolean)
      .join('.');
    return { field, message: issue.message ?? 'is invalid' };
  });
}

/** PostgreSQL data exceptions that only a caller's input can cause (SQLSTATE class 22). */
const INPUT_SQLSTATES: Record<string, string> = {
  '22003': 'A number in the request is out of range',
  '22021': 'The request holds text that cannot be stored',
  '22P05': 'The request holds text that cannot be stored',
  '22P02': 'A value in the request is not valid',
};

/** The message for a database error caused by input (drizzle wraps the driver's in `cause`). */
function databaseRefusal(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code in INPUT_SQLSTATES) return INPUT_SQLSTATES[code];
  }
  return undefined;
}

/**
 * One error handler for the whole service: every error leaves as the envelope; 5xx internals
 * are logged with the request id and never sent. Unknown routes are 404 ROUTE_NOT_FOUND, known
 * paths with another method are 405 with Allow.
 */
export default fp(
  async function errors(app: FastifyInstance) {
    const router = FindMyWay();
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (!METHODS.includes(method as HTTPMethod) || route.url.includes('*')) continue;
        try {
          router.on(method as HTTPMethod, route.url, () => undefined);
        } catch {
          // already registered (HEAD for GET, duplicates across prefixes): harmless here
        }
      }
    });

    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      if (error instanceof AppError) {
        return reply
          .status(error.statusCode)
          .send(errorBody(error.code, error.message, error.details));
      }
      if (error.validation) {
        return reply.status(400).send(
          errorBody(ErrorCodes.VALIDATION_FAILED, 'The request is not valid', {
            fields: validationFields(error),
          }),
        );
      }
      const refused = databaseRefusal(error);
      if (refused) {
        // The schema should have refused it first: logged so the gap is found and closed.
        request.log.warn({ err: error }, 'input refused by the database');
        return reply
          .status(400)
          .send(errorBody(ErrorCodes.BAD_REQUEST, refused, { reason: 'DATABASE_REFUSED_INPUT' }));
      }
      const status =
        error.statusCode && error.statusCode >= 400 && error.statusCode < 600
          ? error.statusCode
          : 500;
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed');
        return reply
          .status(status === 503 ? 503 : 500)
          .send(
            errorBody(
              status === 503 ? ErrorCodes.SERVICE_UNAVAILABLE : ErrorCodes.INTERNAL,
              status === 503
                ? 'The service is unavailable; try again shortly'
                : 'Something went wrong on our side',
              { requestId: request.id },
            ),
          );
      }
      const code = STATUS_CODES[status] ?? ErrorCodes.BAD_REQUEST;
      const message =
        status === 413
          ? 'The request body is larger than this endpoint accepts'
          : status === 415
            ? `Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')} is not supported here; send application/json`
            : error.message;
      const details: Record<string, unknown> = {};
      if (status === 413) details.limitBytes = request.routeOptions.bodyLimit;
      if (status === 400 && error.code) details.reason = error.code;
      return reply.status(status).send(errorBody(code, message, details));
    });

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      const allowed = METHODS.filter((m) => m !== request.method && router.find(m, path) !== null);
      if (allowed.length > 0) {
        return reply
          .status(405)
          .header('allow', allowed.join(', '))
          .send(
            errorBody(
              ErrorCodes.METHOD_NOT_ALLOWED,
              `${request.method} is not allowed on ${path}`,
              { allow: allowed },
            ),
          );
      }
      return reply.status(404).send(
        errorBody(ErrorCodes.ROUTE_NOT_FOUND, `No route ${request.method} ${path}`, {
          method: request.method,
          path,
        }),
      );
    });
  },
  { name: 'errors' },
);
