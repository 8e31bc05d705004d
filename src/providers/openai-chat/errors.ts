import { isRecord, nonEmptyStringOrNull } from '../json.js';

/** OpenAI's error body, for errors the gateway answers itself on an OpenAI-shaped route. */
export function errorBody(status: number, code: string, message: string): unknown {
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param: null, code } };
}

/**
 * Names a provider error by its type and code, e.g. `invalid_request_error:
 * unsupported_parameter`; `null` when the body is not an OpenAI-style error. The message is
 * left out on purpose: it can echo prompt text.
 */
export function describeError(body: unknown): string | null {
  if (!isRecord(body)) return null;
  // OpenAI nests the error; vLLM and some other compatible servers put it at the top level.
  const error = isRecord(body.error) ? body.error : body.object === 'error' ? body : null;
  if (error === null) return null;
  const parts = [nonEmptyStringOrNull(error.type), codeText(error.code)].filter(
    (part): part is string => part !== null,
  );
  return parts.length > 0 ? parts.join(': ') : null;
}

function codeText(code: unknown): string | null {
  if (typeof code === 'number' && Number.isFinite(code)) return String(code);
  return nonEmptyStringOrNull(code);
}
