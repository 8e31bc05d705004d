import { z } from 'zod';
import { ApiError, cut, quote } from './errors.js';

const MAX_LIMIT = 1000;

const pageQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/)
    .transform(Number)
    .pipe(z.number().min(1).max(MAX_LIMIT))
    .optional(),
  cursor: z.string().min(1).max(200).optional(),
});

/**
 * Reads a JSON request body with `schema`; throws `invalid_body` naming the first field it
 * cannot take, what it takes, and the value received (cut short).
 */
export function parseBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    throw new ApiError(400, 'invalid_body', `${cut(issue.keys[0] ?? '')}: not a field`);
  }
  const path = issue?.path.map(String).join('.') || '(body)';
  const received = valueAt(body, issue?.path ?? []);
  const got = received === undefined ? 'nothing' : quote(JSON.stringify(received));
  const message = `${path}: ${(issue?.message ?? 'invalid').toLowerCase()}, got ${got}`;
  throw new ApiError(400, 'invalid_body', message);
}

/** `limit` and `cursor` of a list route; throws `invalid_query` naming a bad one. */
export function parsePageQuery(
  query: unknown,
  defaultLimit: number,
): { limit: number; cursor: string | null } {
  const parsed = pageQuery.safeParse(query ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name =
      issue?.code === 'unrecognized_keys' ? (issue.keys[0] ?? '') : String(issue?.path[0] ?? '');
    const message = `${cut(name)}: expected limit (1 to ${MAX_LIMIT}) or cursor`;
    throw new ApiError(400, 'invalid_query', message);
  }
  return { limit: parsed.data.limit ?? defaultLimit, cursor: parsed.data.cursor ?? null };
}

function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let value = body;
  for (const name of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[name];
  }
  return value;
}
