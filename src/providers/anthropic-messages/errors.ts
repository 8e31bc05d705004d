import { isRecord, nonEmptyStringOrNull } from '../json.js';

/**
 * Anthropic's error type for each HTTP status it documents (docs.claude.com/en/api/errors);
 * any other 4xx is `invalid_request_error`, any other 5xx `api_error`.
 */
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** Anthropic's error body, for errors the gateway answers itself on an Anthropic route. */
export function errorBody(status: number, _code: string, message: string): unknown {
  // Anthropic's shape has no code field; its error type says what a code would.
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message } };
}

/**
 * Names a provider error by its type, e.g. `overloaded_error`; `null` when the body is not
 * an Anthropic error. The message is left out on purpose: it can echo prompt text.
 */
export function describeError(body: unknown): string | null {
  if (!isRecord(body) || !isRecord(body.error)) return null;
  return nonEmptyStringOrNull(body.error.type);
}
