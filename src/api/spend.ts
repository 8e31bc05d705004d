import { z } from 'zod';
import type { GatewayContext } from '../gateway/context.js';
import {
  SPEND_DIMENSIONS,
  type SpendDimension,
  type SpendQuery,
  type SpendRow,
} from '../store/types.js';
import { ApiError, cut, quote } from './errors.js';
import { principalOf } from './auth.js';
import type { ApiRoute } from './routes.js';
import { EVENT_READERS } from './scope.js';
import { parseTime, TIME_EXPECTED } from './time.js';

const BUCKETS = ['hour', 'day', 'month', 'none'] as const;
const DEFAULT_WINDOW = '24h';

const spendQuery = z.strictObject({
  groupBy: z.string().max(200).optional(),
  bucket: z.enum(BUCKETS).optional(),
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
});

/** The answer of `GET /api/v1/spend`. */
export type SpendAnswer = {
  groupBy: SpendDimension[];
  bucket: SpendQuery['bucket'];
  from: string;
  to: string;
  spend: SpendRow[];
  /** Every group added up; `unknownCostCalls` are calls without a price, never counted as $0. */
  totals: Omit<SpendRow, 'bucket' | 'group'>;
};

/** `GET /spend`: spend from the hourly rollup, grouped and bucketed. */
export function spendRoutes(context: GatewayContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      url: '/spend',
      roles: EVENT_READERS,
      handler: async (request) => {
        const query = parseSpendQuery(request.query as Record<string, unknown>);
        // A token limited to teams (a viewer's) reads its teams' spend only, as it reads events.
        const { teams } = principalOf(request);
        const rows = await context.store.spend(teams === null ? query : { ...query, teams });
        return answer(query, rows);
      },
    },
  ];
}

/**
 * Reads `groupBy` (a comma-separated list of dimensions), `bucket` (default `day`), `from`
 * (default 24 hours ago) and `to` (default now); throws an `ApiError` naming a bad parameter.
 */
export function parseSpendQuery(
  query: Record<string, unknown>,
  now = Date.now(),
): SpendQuery & { from: string; to: string } {
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) throw invalid(`${cut(name)}: given more than once`);
  }
  const parsed = spendQuery.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      const known = Object.keys(spendQuery.shape).join(', ');
      throw invalid(`${cut(issue.keys[0] ?? '')}: not a parameter; known are ${known}`);
    }
    const name = String(issue?.path[0] ?? '');
    const expected = name === 'bucket' ? `one of ${BUCKETS.join(', ')}` : 'a shorter value';
    throw invalid(`${cut(name)}: expected ${expected}, got ${quote(String(query[name]))}`);
  }

  const groupBy = parseGroupBy(parsed.data.groupBy ?? '');
  const from = timeOf('from', parsed.data.from ?? DEFAULT_WINDOW, now);
  const to =
    parsed.data.to === undefined ? new Date(now).toISOString() : timeOf('to', parsed.data.to, now);
  return { groupBy, bucket: parsed.data.bucket ?? 'day', from, to };
}

function parseGroupBy(text: string): SpendDimension[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const dimensions: SpendDimension[] = [];
  for (const name of names) {
    if (!(SPEND_DIMENSIONS as readonly string[]).includes(name)) {
      const known = SPEND_DIMENSIONS.join(', ');
      throw invalid(`groupBy: expected names from ${known}, got ${quote(name)}`);
    }
    if (!dimensions.includes(name as SpendDimension)) dimensions.push(name as SpendDimension);
  }
  return dimensions;
}

function timeOf(name: string, value: string, now: number): string {
  const time = parseTime(value, now);
  if (time === null) throw invalid(`${name}: expected ${TIME_EXPECTED}, got ${quote(value)}`);
  return time;
}

function answer(query: SpendQuery & { from: string; to: string }, rows: SpendRow[]): SpendAnswer {
  const totals = {
    calls: 0,
    unknownCostCalls: 0,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
  for (const row of rows) {
    for (const name of Object.keys(totals) as (keyof typeof totals)[]) totals[name] += row[name];
  }
  totals.costUsd = Math.round(totals.costUsd * 1e10) / 1e10;
  return {
    groupBy: query.groupBy,
    bucket: query.bucket,
    from: query.from,
    to: query.to,
    spend: rows,
    totals,
  };
}

function invalid(message: string): ApiError {
  return new ApiError(400, 'invalid_query', message);
}
