import { STATUS_CODES } from 'node:http';

/** How much of a value received a message may repeat. */
const MAX_ECHO_CHARACTERS = 64;

/** How much of a library's message is passed on, in case it carries a value of its own. */
const MAX_LIBRARY_MESSAGE_CHARACTERS = 160;

/** Codes of ours are snake_case; libraries' are not (Fastify's are `FST_ERR_...`). */
const OWN_CODE = /^[a-z][a-z0-9_]*$/;

/** Our codes for the Fastify errors a request can cause. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_BAD_URL: 'bad_url',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_body',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_body',
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: 'invalid_body',
};

type ErrorBody = { error: { code: string; message: string } };

type ThrownError = Error & { code?: unknown; status?: unknown; statusCode?: unknown };

/**
 * An API error: a stable snake_case code, an HTTP status, a lower-case message, and any
 * headers the status calls for (`allow` with 405).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The body the API answers with. */
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** A value received, cut to `MAX_ECHO_CHARACTERS` for a message, with `…` if cut. */
export function cut(value: string): string {
  return value.length > MAX_ECHO_CHARACTERS ? `${value.slice(0, MAX_ECHO_CHARACTERS)}…` : value;
}

/** A value received, cut and quoted for a message. */
export function quote(value: string): string {
  return `'${cut(value)}'`;
}

/**
 * The API error that any error thrown while serving the API stands for. Our own errors keep
 * their code and message; a library's get a snake_case code and only their first letter
 * lower-cased (names inside stay as written); anything at or above 500 says no more than
 * `internal error`, the caller logging the original.
 */
export function toApiError(thrown: unknown): ApiError {
  if (thrown instanceof ApiError) return thrown;
  const error: ThrownError = thrown instanceof Error ? thrown : new Error(String(thrown));
  const status = statusOf(error);
  if (status >= 500) return new ApiError(500, 'internal_error', 'internal error');

  const code = typeof error.code === 'string' ? error.code : '';
  if (OWN_CODE.test(code)) return new ApiError(status, code, error.message);
  if (code === 'FST_ERR_BAD_URL') return badUrl(error.message);
  return new ApiError(status, FASTIFY_CODES[code] ?? codeOfStatus(status), libraryMessage(error));
}

function statusOf(error: ThrownError): number {
  const status = error.status ?? error.statusCode;
  const valid = typeof status === 'number' && status >= 400 && status <= 599;
  return valid ? status : 500;
}

/** Fastify's message repeats the whole path; ours cuts it. */
function badUrl(message: string): ApiError {
  const path = /^'(.*)' is not a valid url component$/s.exec(message)?.[1] ?? '';
  return new ApiError(400, 'bad_url', `path: not valid percent-encoding, got ${quote(path)}`);
}

function libraryMessage(error: Error): string {
  const message = error.message.slice(0, MAX_LIBRARY_MESSAGE_CHARACTERS);
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/** `Payload Too Large` becomes `payload_too_large`. */
function codeOfStatus(status: number): string {
  const words = (STATUS_CODES[status] ?? 'bad request').toLowerCase().replace(/[^a-z0-9 ]/g, '');
  return words.trim().replace(/ +/g, '_');
}
