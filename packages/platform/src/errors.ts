import { ErrorCodes, type ErrorBody, type ErrorCode } from '@afenda/contracts';

/** A failure the client should see: typed code, HTTP status, safe message, structured details. */
export class AppError extends Error {
  constructor(
    public readonly code: ErrorCode,
    public readonly statusCode: number,
    message: string,
    public readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, details: Record<string, unknown> = {}) =>
  new AppError(ErrorCodes.NOT_FOUND, 404, `${what} not found`, details);
export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new AppError(ErrorCodes.CONFLICT, 409, message, details);
export const forbidden = (message = 'You may not do this', details: Record<string, unknown> = {}) =>
  new AppError(ErrorCodes.FORBIDDEN, 403, message, details);
/** Not a member, or no such tenant: the same 404, no hint either way. */
export const tenantNotFound = () => new AppError('TENANT_NOT_FOUND', 404, 'Tenant not found');

/** The error envelope every 4xx and 5xx leaves in. */
export function errorBody(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): ErrorBody {
  return { error: { code, message, details } };
}
