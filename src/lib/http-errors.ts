import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { VigilError, type FieldIssue } from './errors.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';

/** Seconds a client is told to wait (Retry-After) while the database is unreachable. */
export const DB_RETRY_AFTER_SECONDS = 5;

/** Maps anything thrown while handling a request to a catalogued error. Unknown errors become VIG_INTERNAL. */
export function toVigilError(err: unknown): VigilError {
  if (err instanceof VigilError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors: FieldIssue[] = err.validation.map((v) => ({
      path: [err.validationContext, ...String(v.instancePath ?? '').split('/').filter(Boolean)].filter(Boolean).join('.'),
      message: v.message ?? 'is invalid',
    }));
    return new VigilError('VIG_REQUEST_INVALID', { errors }, { cause: err });
  }
  const e = err as { code?: string; statusCode?: number; validation?: unknown[]; validationContext?: string; message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new VigilError('VIG_REQUEST_TOO_LARGE', {}, { cause: err });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new VigilError(e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'VIG_REQUEST_UNSUPPORTED_MEDIA_TYPE' : 'VIG_REQUEST_MALFORMED', {}, { cause: err });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new VigilError('VIG_REQUEST_MALFORMED', {}, { cause: err });
  }
  if (Array.isArray(e.validation)) {
    return new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: e.validationContext ?? 'request', message: 'is invalid' }] }, { cause: err });
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 413) return new VigilError('VIG_REQUEST_TOO_LARGE', {}, { cause: err });
    if (e.statusCode === 415) return new VigilError('VIG_REQUEST_UNSUPPORTED_MEDIA_TYPE', {}, { cause: err });
    if (e.statusCode === 404) return new VigilError('VIG_ROUTE_NOT_FOUND', {}, { cause: err });
    if (e.statusCode === 405) return new VigilError('VIG_METHOD_NOT_ALLOWED', {}, { cause: err });
    return new VigilError('VIG_REQUEST_MALFORMED', {}, { cause: err });
  }
  if (isDatabaseUnavailable(err)) {
    return new VigilError('VIG_UNAVAILABLE', {}, { cause: err, headers: { 'retry-after': String(DB_RETRY_AFTER_SECONDS) } });
  }
  return new VigilError('VIG_INTERNAL', {}, { cause: err });
}
