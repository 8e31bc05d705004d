/**
 * Reading upstream JSON without trusting it: a parse that never throws, and small guards
 * that turn `unknown` into the few shapes the parsers need.
 */

/** Parses JSON text; `undefined` when the text is not JSON. Never throws. */
export function parseJson(text: string): unknown | undefined {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether a value is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value if it is a string, else `null`. */
export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The value if it is a non-empty string, else `null`. */
export function nonEmptyStringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The value if it is a finite number, else `null`. */
export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The value if it is an array, else an empty array. */
export function arrayOrEmpty(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value if it is a JSON object, else an empty object. */
export function recordOrEmpty(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** Tool-call arguments sent as a string: parsed JSON, or the string itself if it is not JSON. */
export function parseArguments(text: string): unknown {
  const parsed = parseJson(text);
  return parsed === undefined ? text : parsed;
}
