import { z } from 'zod';
import { EVENT_KINDS, OUTCOME_STATUSES } from '../event/types.js';
import type { EventFilter } from '../store/types.js';
import { ApiError, cut, quote } from './errors.js';
import { parseTime, TIME_EXPECTED } from './time.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
const MAX_TEXT_LENGTH = 512;
const MAX_CURSOR_LENGTH = 200;

/** Every action a policy rule can take, as `policyAction` filters them. */
const POLICY_ACTIONS = ['flag', 'mask', 'block', 'escalate', 'hold'] as const;

const text = z.string().min(1).max(MAX_TEXT_LENGTH).optional();
const time = z
  .string()
  .transform((value) => parseTime(value))
  .pipe(z.string())
  .optional();

const EVENT_QUERY_SHAPE = {
  user: text,
  session: text,
  trace: text,
  agent: text,
  app: text,
  team: text,
  provider: text,
  model: text,
  kind: z.enum(EVENT_KINDS).optional(),
  outcome: z.enum(OUTCOME_STATUSES).optional(),
  policyAction: z.enum(POLICY_ACTIONS).optional(),
  from: time,
  to: time,
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/)
    .transform(Number)
    .pipe(z.number().min(1).max(MAX_LIMIT))
    .optional(),
  cursor: z.string().min(1).max(MAX_CURSOR_LENGTH).optional(),
};

type Parameter = keyof typeof EVENT_QUERY_SHAPE;

const eventQuery = z.strictObject(EVENT_QUERY_SHAPE);

const TEXT_EXPECTED = `from 1 to ${MAX_TEXT_LENGTH} characters`;

/** What each parameter takes, for messages. */
const EXPECTED: Record<Parameter, string> = {
  user: TEXT_EXPECTED,
  session: TEXT_EXPECTED,
  trace: TEXT_EXPECTED,
  agent: TEXT_EXPECTED,
  app: TEXT_EXPECTED,
  team: TEXT_EXPECTED,
  provider: TEXT_EXPECTED,
  model: TEXT_EXPECTED,
  kind: `one of ${EVENT_KINDS.join(', ')}`,
  outcome: `one of ${OUTCOME_STATUSES.join(', ')}`,
  policyAction: `one of ${POLICY_ACTIONS.join(', ')}`,
  from: TIME_EXPECTED,
  to: TIME_EXPECTED,
  limit: `a whole number from 1 to ${MAX_LIMIT}`,
  cursor: 'the nextCursor of the previous page',
};

// TODO(#7): free text needs an index.
const UNSUPPORTED = ['q'];

export type EventQuery = { filter: EventFilter; limit: number; cursor: string | null };

/**
 * Reads the query string of `GET /events`, times turned into ISO times as the store expects;
 * throws an `ApiError` naming the first parameter it cannot take, and the value received.
 */
export function parseEventQuery(query: Record<string, unknown>): EventQuery {
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) throw invalidQuery(`${cut(name)}: given more than once`);
  }
  for (const name of UNSUPPORTED) {
    if (name in query) throw new ApiError(400, 'unsupported_filter', `${name}: not supported yet`);
  }

  const parsed = eventQuery.safeParse(query);
  if (!parsed.success) throw describeIssue(parsed.error.issues[0], query);
  const { limit, cursor, ...filter } = parsed.data;
  return { filter, limit: limit ?? DEFAULT_LIMIT, cursor: cursor ?? null };
}

function describeIssue(issue: z.core.$ZodIssue | undefined, query: Record<string, unknown>) {
  if (issue?.code === 'unrecognized_keys') {
    const known = Object.keys(EVENT_QUERY_SHAPE).join(', ');
    return invalidQuery(`${cut(issue.keys[0] ?? '')}: not a parameter; known are ${known}`);
  }
  const name = String(issue?.path[0] ?? '');
  const expected = name in EXPECTED ? EXPECTED[name as Parameter] : 'another value';
  return invalidQuery(`${cut(name)}: expected ${expected}, got ${quote(String(query[name]))}`);
}

function invalidQuery(message: string): ApiError {
  return new ApiError(400, 'invalid_query', message);
}
