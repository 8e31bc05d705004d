import { isRecord, nonEmptyStringOrNull } from '../json.js';

/**
 * The canonical status (google.rpc.Code) for each HTTP status, as Google's API design guide
 * pairs them (cloud.google.com/apis/design/errors). Two are not in its table: Google answers
 * an oversized request with 400 `INVALID_ARGUMENT`, so 413 reads the same, and a bad gateway
 * (502) is the service being unavailable.
 */
const STATUSES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/**
 * Google's error body, for errors the gateway answers itself on a Gemini route. The gateway's
 * own code goes where Google puts a machine-readable reason, in an `ErrorInfo` detail.
 */
export function errorBody(status: number, code: string, message: string): unknown {
  const canonical = STATUSES[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
  return {
    error: {
      code: status,
      message,
      status: canonical,
      details: [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: code, domain: 'auditgate' },
      ],
    },
  };
}

/**
 * Names a provider error by its canonical status, e.g. `RESOURCE_EXHAUSTED`; `null` when the
 * body is not a Google error. A stream without `alt=sse` wraps the error in an array. The
 * message is left out on purpose: it can echo prompt text.
 */
export function describeError(body: unknown): string | null {
  const error = Array.isArray(body) ? body[0] : body;
  if (!isRecord(error) || !isRecord(error.error)) return null;
  return nonEmptyStringOrNull(error.error.status);
}
