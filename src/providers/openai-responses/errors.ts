import { isRecord } from '../json.js';

// The Responses API answers errors in the same shape as chat completions.
export { describeError, errorBody } from '../openai-chat/errors.js';

/**
 * The error a Responses answer carries: a failed response's `error`, or the error of a
 * stream's `error` event (nested under `error`, or its own `code`, `message` and `param`).
 */
export function responseError(value: Record<string, unknown>): Record<string, unknown> | null {
  if (isRecord(value.error)) return value.error;
  if (value.type !== 'error') return null;
  const eventFields = new Set(['type', 'sequence_number']);
  return Object.fromEntries(Object.entries(value).filter(([key]) => !eventFields.has(key)));
}
