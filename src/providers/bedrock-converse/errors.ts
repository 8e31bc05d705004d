import { isRecord, nonEmptyStringOrNull } from '../json.js';

/**
 * The Bedrock Runtime exception named for each HTTP status (API_runtime_Converse, Errors).
 * Any other 4xx reads as a validation error, any other 5xx as an internal one.
 */
const EXCEPTIONS: Record<number, string> = {
  400: 'ValidationException',
  401: 'UnrecognizedClientException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  413: 'ValidationException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  502: 'ServiceUnavailableException',
  503: 'ServiceUnavailableException',
  504: 'ModelTimeoutException',
};

/** The exception name for a status, as `x-amzn-errortype` carries it. */
export function exceptionFor(status: number): string {
  return EXCEPTIONS[status] ?? (status >= 500 ? 'InternalServerException' : 'ValidationException');
}

/**
 * Bedrock's error body, for errors the gateway answers itself on a Bedrock route: AWS's JSON
 * protocols put the exception's name in the `x-amzn-errortype` header (`errorHeaders`) and
 * only the message in the body. The gateway's own code has no place in that shape.
 */
export function errorBody(_status: number, _code: string, message: string): unknown {
  return { message };
}

/** The header that names the exception, which the AWS SDKs read to pick the error class. */
export function errorHeaders(status: number): Record<string, string> {
  return { 'x-amzn-errortype': exceptionFor(status) };
}

/**
 * Names a Bedrock error by its exception, e.g. `ThrottlingException`: from the
 * `x-amzn-errortype` header (`ThrottlingException:http://internal.amazon.com/...`), else a
 * `__type` in the body; `null` when neither says. The message is left out: it can echo input.
 */
export function describeError(body: unknown, errorType?: string | null): string | null {
  const named = nonEmptyStringOrNull(errorType?.split(':', 1)[0]);
  if (named !== null) return named;
  if (!isRecord(body)) return null;
  // An exception frame in a stream, as the assembler reports it.
  if (isRecord(body.error)) return nonEmptyStringOrNull(body.error.type);
  const type = nonEmptyStringOrNull(body.__type);
  return type === null ? null : (type.split('#').at(-1) ?? null);
}
