import type Database from 'better-sqlite3';
import type { AuditEvent } from '../../event/types.js';
import type { SpendBucket, SpendDimension, SpendQuery, SpendRow, TraceSpend } from '../types.js';

/** The rollup column of each dimension. */
const DIMENSION_COLUMNS: Record<SpendDimension, string> = {
  key: 'key_id',
  team: 'team_id',
  businessUnit: 'business_unit',
  project: 'project',
  app: 'app_id',
  agent: 'agent_id',
  user: 'user_id',
  provider: 'provider',
  model: 'model',
};

/** `hour` is `YYYY-MM-DDTHH`; a bucket is a prefix of it. */
const BUCKET_LENGTH: Record<Exclude<SpendBucket, 'none'>, number> = { hour: 13, day: 10, month: 7 };

type RollupRow = {
  hour: string;
  key_id: string;
  team_id: string;
  business_unit: string;
  project: string;
  app_id: string;
  agent_id: string;
  user_id: string;
  provider: string;
  model: string;
  unknown: number;
  cost: number;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  reasoning: number;
};

type Totals = {
  calls: number;
  unknown_cost_calls: number;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
};

/** The rollup's statements on one connection. */
export type SpendRollup = {
  /** Adds one event to its hour's row; call inside the append transaction. */
  add(event: AuditEvent): void;
  query(query: SpendQuery): SpendRow[];
  traceSpend(traceId: string): TraceSpend;
};

const ROLLUP_COLUMNS = `key_id, team_id, business_unit, project, app_id, agent_id, user_id,
  provider, model`;
const TOTAL_COLUMNS = `calls, unknown_cost_calls, cost_usd, input_tokens, output_tokens,
  cache_read_tokens, cache_write_tokens, reasoning_tokens`;

/** The upsert of one event into the rollup table keyed by `period` (`hour` or `day`). */
function upsertSql(table: string, period: string): string {
  return `
    INSERT INTO ${table} (${period}, ${ROLLUP_COLUMNS}, ${TOTAL_COLUMNS})
    VALUES (@${period}, @key_id, @team_id, @business_unit, @project, @app_id, @agent_id, @user_id,
      @provider, @model, 1, @unknown, @cost, @input, @output, @cache_read, @cache_write, @reasoning)
    ON CONFLICT DO UPDATE SET
      calls = calls + 1,
      unknown_cost_calls = unknown_cost_calls + excluded.unknown_cost_calls,
      cost_usd = cost_usd + excluded.cost_usd,
      input_tokens = input_tokens + excluded.input_tokens,
      output_tokens = output_tokens + excluded.output_tokens,
      cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
      cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
      reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens`;
}

/** Prepares the rollup's statements; the tables come from migration 3. */
export function prepareSpendRollup(database: Database.Database): SpendRollup {
  const upsertHour = database.prepare<[RollupRow & { hour: string }]>(
    upsertSql('spend_hourly', 'hour'),
  );
  const upsertDay = database.prepare<[RollupRow & { day: string }]>(
    upsertSql('spend_daily', 'day'),
  );
  const selectTrace = database.prepare<[string], TraceSpend>(`
    SELECT COALESCE(SUM(cost_usd), 0) AS costUsd, COALESCE(SUM(tokens), 0) AS tokens,
      COUNT(cost_usd) AS calls
    FROM events WHERE trace_id = ?`);
  const statements = new Map<string, Database.Statement<unknown[], ResultRow>>();

  return {
    add(event) {
      if (event.cost === null || refusedBeforeProvider(event)) return;
      const row = rollupRow(event);
      upsertHour.run({ ...row, hour: row.hour });
      upsertDay.run({ ...row, day: row.hour.slice(0, 10) });
    },
    query(query) {
      const { sql, parameters } = spendSql(query);
      let statement = statements.get(sql);
      if (!statement) {
        statement = database.prepare<unknown[], ResultRow>(sql);
        statements.set(sql, statement);
      }
      return statement.all(parameters).map((row) => fromTotals(row, query));
    },
    traceSpend(traceId) {
      return selectTrace.get(traceId) ?? { costUsd: 0, tokens: 0, calls: 0 };
    },
  };
}

type ResultRow = Totals & Record<string, string>;

/** A call the gateway answered itself (refused, blocked) spent nothing and is not a call made. */
function refusedBeforeProvider(event: AuditEvent): boolean {
  const status = event.outcome.status;
  return (status === 'rejected' || status === 'blocked') && event.timing.upstreamMs === null;
}

function rollupRow(event: AuditEvent): RollupRow {
  const { identity, attribution, usage, cost } = event;
  return {
    hour: new Date(Date.parse(event.time)).toISOString().slice(0, 13),
    key_id: identity.keyId ?? identity.keyFingerprint ?? '',
    team_id: attribution.teamId ?? identity.teamId ?? '',
    business_unit: attribution.businessUnit ?? '',
    project: attribution.project ?? '',
    app_id: attribution.appId ?? identity.appId ?? '',
    agent_id: attribution.agentId ?? identity.agentId ?? '',
    user_id: attribution.userId ?? identity.userId ?? '',
    provider: event.request?.provider ?? '',
    model: event.request?.model ?? event.response?.model ?? '',
    unknown: cost?.amountUsd === null ? 1 : 0,
    cost: cost?.amountUsd ?? 0,
    input: usage?.inputTokens ?? 0,
    output: usage?.outputTokens ?? 0,
    cache_read: usage?.cacheReadTokens ?? 0,
    cache_write: usage?.cacheWriteTokens ?? 0,
    reasoning: usage?.reasoningTokens ?? 0,
  };
}

/** The cost and token count stored on the event's own row (trace spend reads them). */
export function eventSpendColumns(event: AuditEvent): {
  cost_usd: number | null;
  tokens: number | null;
} {
  const usage = event.usage;
  const tokens =
    usage && (usage.inputTokens !== null || usage.outputTokens !== null)
      ? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0)
      : null;
  return { cost_usd: event.cost?.amountUsd ?? null, tokens };
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * The range split by resolution: whole days inside `[from, to)` are read from the daily table,
 * the hours at either edge from the hourly one (the range is taken to whole hours first). With
 * hourly buckets every part is read by the hour.
 */
function ranges(query: SpendQuery): {
  hours: [number, number][];
  days: [number, number] | null;
} {
  const from = query.from === undefined ? -Infinity : Math.floor(parse(query.from) / HOUR) * HOUR;
  const to = query.to === undefined ? Infinity : Math.ceil(parse(query.to) / HOUR) * HOUR;
  if (query.bucket === 'hour') return { hours: [[from, to]], days: null };
  const firstDay = Number.isFinite(from) ? Math.ceil(from / DAY) * DAY : -Infinity;
  const lastDay = Number.isFinite(to) ? Math.floor(to / DAY) * DAY : Infinity;
  if (firstDay >= lastDay) return { hours: [[from, to]], days: null };
  const hours: [number, number][] = [];
  if (from < firstDay) hours.push([from, firstDay]);
  if (lastDay < to) hours.push([lastDay, to]);
  return { hours, days: [firstDay, lastDay] };
}

function parse(time: string): number {
  const milliseconds = Date.parse(time);
  if (Number.isNaN(milliseconds)) throw new RangeError(`expected an ISO 8601 time, got "${time}"`);
  return milliseconds;
}

function spendSql(query: SpendQuery): { sql: string; parameters: Record<string, string> } {
  const columns = query.groupBy.map((dimension) => DIMENSION_COLUMNS[dimension]);
  const parameters: Record<string, string> = {};
  const filters: string[] = [];
  for (const [dimension, value] of Object.entries(query.where ?? {})) {
    const column = DIMENSION_COLUMNS[dimension as SpendDimension];
    filters.push(`${column} = @where_${column}`);
    parameters[`where_${column}`] = value ?? '';
  }
  if (query.teams) {
    const names = query.teams.map((team, index) => {
      parameters[`team_${index}`] = team;
      return `@team_${index}`;
    });
    filters.push(names.length ? `team_id IN (${names.join(', ')})` : '0');
  }

  const { hours, days } = ranges(query);
  const parts: string[] = [];
  const bound = (name: string, value: number, length: number) => {
    parameters[name] = new Date(value).toISOString().slice(0, length);
    return `@${name}`;
  };
  // One SELECT per hour range (not an OR of ranges), so that each is a range scan of the key.
  hours.forEach(([start, end], index) => {
    const conditions = [
      ...(Number.isFinite(start) ? [`hour >= ${bound(`hour_from_${index}`, start, 13)}`] : []),
      ...(Number.isFinite(end) ? [`hour < ${bound(`hour_to_${index}`, end, 13)}`] : []),
      ...filters,
    ];
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    parts.push(
      `SELECT hour AS period, ${ROLLUP_COLUMNS}, ${TOTAL_COLUMNS} FROM spend_hourly ${where}`,
    );
  });
  if (days) {
    const conditions = [
      ...(Number.isFinite(days[0]) ? [`day >= ${bound('day_from', days[0], 10)}`] : []),
      ...(Number.isFinite(days[1]) ? [`day < ${bound('day_to', days[1], 10)}`] : []),
      ...filters,
    ];
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    parts.push(
      `SELECT day AS period, ${ROLLUP_COLUMNS}, ${TOTAL_COLUMNS} FROM spend_daily ${where}`,
    );
  }

  const bucket =
    query.bucket === 'none' ? null : `substr(period, 1, ${BUCKET_LENGTH[query.bucket]})`;
  const keys = [...(bucket ? [`${bucket} AS bucket`] : []), ...columns];
  const groupBy = keys.length
    ? `GROUP BY ${[...(bucket ? ['bucket'] : []), ...columns].join(', ')}`
    : '';
  const order = bucket ? 'ORDER BY bucket, cost_usd DESC' : 'ORDER BY cost_usd DESC';
  const sql = `
    SELECT ${[...keys, ''].join(', ')}
      SUM(calls) AS calls, SUM(unknown_cost_calls) AS unknown_cost_calls,
      SUM(cost_usd) AS cost_usd, SUM(input_tokens) AS input_tokens,
      SUM(output_tokens) AS output_tokens, SUM(cache_read_tokens) AS cache_read_tokens,
      SUM(cache_write_tokens) AS cache_write_tokens, SUM(reasoning_tokens) AS reasoning_tokens
    FROM (${parts.join(' UNION ALL ')}) ${groupBy} HAVING SUM(calls) > 0 ${order}`;
  return { sql, parameters };
}

function fromTotals(row: ResultRow, query: SpendQuery): SpendRow {
  const group: Partial<Record<SpendDimension, string | null>> = {};
  for (const dimension of query.groupBy) {
    const value = row[DIMENSION_COLUMNS[dimension]];
    group[dimension] = value ? value : null;
  }
  return {
    bucket: query.bucket === 'none' ? null : (row.bucket ?? null),
    group,
    calls: row.calls,
    unknownCostCalls: row.unknown_cost_calls,
    costUsd: Math.round(row.cost_usd * 1e10) / 1e10,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheReadTokens: row.cache_read_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    reasoningTokens: row.reasoning_tokens,
  };
}
