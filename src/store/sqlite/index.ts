import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { EventContent } from '../../event/content.js';
import { joinContent } from '../../event/content.js';
import type { AuditEvent } from '../../event/types.js';
import type { StoredCheckpoint } from '../../ledger/types.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { EventFilter, EventPage, EventRecord, JournalEntry, Store } from '../types.js';
import { createHolds, eraseSubject } from './erasure.js';
import {
  listCheckpoints,
  logStates,
  proveConsistency,
  proveEvent,
  SqliteLedger,
  StoredTree,
  type LedgerSetup,
} from './ledger.js';
import { buildBundle } from './bundle.js';
import { keyMethods } from './keys.js';
import { migrate } from './migrations.js';
import { eventSpendColumns, prepareSpendRollup } from './spend.js';
import { tokenMethods } from './tokens.js';

/** The embedded engine: one SQLite file in WAL mode, for a single gateway instance. */
export type SqliteStore = Store & {
  readonly path: string;
  /** Writes several journal rows in one transaction (a group commit). */
  journalAll(entries: JournalEntry[]): void;
};

export type SqliteOptions = {
  /**
   * `auto` lets SQLite checkpoint the WAL inside whichever commit crosses its threshold;
   * `manual` leaves checkpoints to another connection (see `startCheckpointer`), so that no
   * commit on this one pays for copying pages.
   */
  checkpoints?: 'auto' | 'manual';
  /** Keep this instance's ledger log: every appended event becomes a leaf. */
  ledger?: LedgerSetup;
  /** Told of each checkpoint signed, and of each that could not be. */
  onCheckpoint?: (result: CheckpointResult) => void;
};

/** A checkpoint just signed, or why one could not be. */
export type CheckpointResult =
  { checkpoint: StoredCheckpoint } | { error: { code: string; message: string } };

export const MAX_PAGE_SIZE = 1000;
const BUSY_TIMEOUT_MS = 5000;

type Statement<Parameters extends unknown[], Result = unknown> = Database.Statement<
  Parameters,
  Result
>;

/** The row that holds an event's envelope, with a column per list filter. */
type EventRow = {
  id: string;
  kind: string;
  time: string;
  user_id: string | null;
  session_id: string | null;
  trace_id: string;
  agent_id: string | null;
  app_id: string | null;
  team_id: string | null;
  provider: string | null;
  model: string | null;
  outcome: string;
  envelope: string;
  cost_usd: number | null;
  tokens: number | null;
  log_id: string | null;
  leaf_index: number | null;
  leaf_hash: string | null;
  content_commitment: string | null;
};

type JournalRow = {
  event_id: string;
  time: string;
  method: string;
  path: string;
  provider: string | null;
  model: string | null;
  key_fingerprint: string | null;
  client_address: string | null;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
};

type LeafRow = { log_id: string | null; leaf_index: number | null; leaf_hash: string | null };

type StoredEvent = { id: string; envelope: string; content: string | null };

type ListParameters = Record<string, string | number>;

type Statements = {
  insertJournal: Statement<[JournalRow]>;
  insertEvent: Statement<[EventRow]>;
  insertContent: Statement<[string, string, string | null]>;
  eventExists: Statement<[string], { found: number }>;
  journalCount: Statement<[], { count: number }>;
  deleteJournal: Statement<[string]>;
  selectOrphans: Statement<[], JournalRow>;
  selectEvent: Statement<[string], StoredEvent>;
  selectLeaf: Statement<[string], LeafRow>;
  ping: Statement<[], { ok: number }>;
};

/** Which column each exact-match filter reads. */
const FILTER_COLUMNS = {
  user: 'user_id',
  session: 'session_id',
  trace: 'trace_id',
  agent: 'agent_id',
  app: 'app_id',
  team: 'team_id',
  provider: 'provider',
  model: 'model',
  kind: 'kind',
  outcome: 'outcome',
} as const satisfies Record<
  Exclude<keyof EventFilter, 'from' | 'to' | 'teams' | 'policyAction'>,
  string
>;

const EVENT_SELECT = `
  SELECT events.id AS id, events.envelope AS envelope, event_content.content AS content
  FROM events LEFT JOIN event_content ON event_content.event_id = events.id`;

/** Opens (creating if needed) the SQLite store at `path` and brings its schema up to date. */
export function openSqliteStore(path: string, options: SqliteOptions = {}): SqliteStore {
  const database = openDatabase(path);
  if (options.checkpoints === 'manual') database.pragma('wal_autocheckpoint = 0');
  const statements = prepareStatements(database);
  const listStatement = listStatementCache(database);
  const spend = prepareSpendRollup(database);

  const ledger = options.ledger ? new SqliteLedger(database, options.ledger) : null;
  const holds = createHolds(database);

  const appendAll = database.transaction((records: EventRecord[]) => {
    ledger?.begin();
    for (const { envelope, content } of records) {
      statements.deleteJournal.run(envelope.id);
      // An id already stored keeps its first record: a retried batch changes nothing.
      if (statements.eventExists.get(envelope.id)) continue;
      // The spend rollup counts each event once, as it is first stored.
      spend.add(envelope);
      if (!ledger) {
        statements.insertEvent.run(toEventRow(envelope));
        if (content) statements.insertContent.run(envelope.id, JSON.stringify(content), null);
        continue;
      }
      const leaf = ledger.assign(envelope, content);
      statements.insertEvent.run({
        ...toEventRow(leaf.envelope, leaf.envelopeJson),
        log_id: ledger.logId,
        leaf_index: leaf.index,
        leaf_hash: leaf.leafHash,
        content_commitment: leaf.commitment,
      });
      if (content) statements.insertContent.run(envelope.id, JSON.stringify(content), leaf.salt);
    }
    ledger?.writeBatch();
  });

  /** Runs a write that may append leaves; keeps the ledger's frontier only if it commits. */
  const withLedger = <Result>(write: () => Result): Result => {
    try {
      const result = write();
      ledger?.commit();
      return result;
    } catch (error) {
      ledger?.rollback();
      throw error;
    }
  };

  const report = (result: CheckpointResult) => {
    try {
      options.onCheckpoint?.(result);
    } catch {
      // A failing listener must not stop the store.
    }
  };
  const checkpoint = (): StoredCheckpoint | null => {
    if (!ledger) return null;
    try {
      const signed = database.transaction(() => ledger.checkpoint()).immediate();
      if (signed) report({ checkpoint: signed });
      return signed ?? listCheckpoints(database, ledger.logId, 1)[0] ?? null;
    } catch (error) {
      const { code, message } = error as Error & { code?: string };
      report({ error: { code: code ?? 'checkpoint_failed', message } });
      throw error;
    }
  };
  let checkpointScheduled = false;
  const checkpointSoon = () => {
    if (checkpointScheduled) return;
    checkpointScheduled = true;
    setImmediate(() => {
      checkpointScheduled = false;
      if (database.open) ignoreError(checkpoint);
    });
  };
  const interval = options.ledger?.checkpointIntervalMs ?? 0;
  const timer = ledger && interval > 0 ? setInterval(checkpointSoon, interval) : null;
  timer?.unref();

  const journalAll = database.transaction((entries: JournalEntry[]) => {
    for (const entry of entries) statements.insertJournal.run(toJournalRow(entry));
  });

  return {
    path,
    async journal(entry) {
      statements.insertJournal.run(toJournalRow(entry));
    },
    journalAll(entries) {
      if (entries.length > 0) journalAll.immediate(entries);
    },
    async append(records) {
      if (records.length === 0) return;
      withLedger(() => appendAll.immediate(records));
      if (ledger?.checkpointDue()) checkpointSoon();
    },
    async orphanedJournal() {
      return statements.selectOrphans.all().map(fromJournalRow);
    },
    async getEvent(id) {
      const stored = statements.selectEvent.get(id);
      return stored ? fromStoredEvent(stored) : null;
    },
    async listEvents(filter, limit, cursor) {
      return listPage(listStatement, filter, limit, cursor);
    },
    async spend(query) {
      return spend.query(query);
    },
    async traceSpend(traceId) {
      return spend.traceSpend(traceId);
    },
    async ledgerState() {
      return logStates(database);
    },
    async listCheckpoints(logId, limit) {
      const log = logId ?? ledger?.logId;
      return log ? listCheckpoints(database, log, clampPageSize(limit)) : [];
    },
    async checkpointNow() {
      return checkpoint();
    },
    async eventProof(id) {
      const row = statements.selectLeaf.get(id);
      if (!row || row.log_id === null || row.leaf_index === null || row.leaf_hash === null) {
        return null;
      }
      let latest = listCheckpoints(database, row.log_id, 1)[0] ?? null;
      if (ledger && row.log_id === ledger.logId && (latest?.treeSize ?? 0) <= row.leaf_index) {
        latest = checkpoint();
      }
      if (!latest || latest.treeSize <= row.leaf_index) return null;
      const leaf = { id, logId: row.log_id, index: row.leaf_index, leafHash: row.leaf_hash };
      return proveEvent(new StoredTree(database, row.log_id), leaf, latest);
    },
    async consistencyProof(logId, from, to) {
      return proveConsistency(database, logId ?? ledger?.logId ?? '', from, to);
    },
    async evidenceBundle(from, to) {
      if (ledger) checkpoint();
      return buildBundle(database, filterTime('from', from), filterTime('to', to));
    },
    async erase(subject, reason, event) {
      return withLedger(() =>
        eraseSubject(database, holds, { subject, reason, event }, (record) => appendAll(record)),
      );
    },
    async createHold(hold) {
      return holds.create(hold);
    },
    async listHolds(includeReleased) {
      return holds.list(includeReleased);
    },
    async releaseHold(id) {
      return holds.release(id);
    },
    async journalBacklog() {
      return statements.journalCount.get()?.count ?? 0;
    },
    ...keyMethods(database),
    ...tokenMethods(database),
    async ping() {
      return database.open && statements.ping.get()?.ok === 1;
    },
    async close() {
      if (!database.open) return;
      if (timer) clearInterval(timer);
      // The last events get a checkpoint of their own, so a clean stop leaves all signed.
      if (ledger) ignoreError(checkpoint);
      database.pragma('optimize');
      database.close();
    },
  };
}

/** Opens the file with the pragmas the store relies on, and runs pending migrations. */
function openDatabase(path: string): Database.Database {
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  try {
    database.pragma('journal_mode = WAL');
    // NORMAL in WAL mode loses at most the last commits on power loss, never consistency.
    database.pragma('synchronous = NORMAL');
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    database.pragma('foreign_keys = ON');
    migrate(database);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}

function prepareStatements(database: Database.Database): Statements {
  return {
    insertJournal: database.prepare<[JournalRow]>(`
      INSERT OR IGNORE INTO journal (event_id, time, method, path, provider, model,
        key_fingerprint, client_address, trace_id, span_id, parent_span_id)
      VALUES (@event_id, @time, @method, @path, @provider, @model,
        @key_fingerprint, @client_address, @trace_id, @span_id, @parent_span_id)`),
    insertEvent: database.prepare<[EventRow]>(`
      INSERT INTO events (id, kind, time, user_id, session_id, trace_id, agent_id,
        app_id, team_id, provider, model, outcome, envelope, cost_usd, tokens,
        log_id, leaf_index, leaf_hash, content_commitment)
      VALUES (@id, @kind, @time, @user_id, @session_id, @trace_id, @agent_id,
        @app_id, @team_id, @provider, @model, @outcome, @envelope, @cost_usd, @tokens,
        @log_id, @leaf_index, @leaf_hash, @content_commitment)`),
    insertContent: database.prepare<[string, string, string | null]>(
      'INSERT OR IGNORE INTO event_content (event_id, content, salt) VALUES (?, ?, ?)',
    ),
    eventExists: database.prepare<[string], { found: number }>(
      'SELECT 1 AS found FROM events WHERE id = ?',
    ),
    journalCount: database.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM journal'),
    selectLeaf: database.prepare<[string], LeafRow>(
      'SELECT log_id, leaf_index, leaf_hash FROM events WHERE id = ?',
    ),
    deleteJournal: database.prepare<[string]>('DELETE FROM journal WHERE event_id = ?'),
    selectOrphans: database.prepare<[], JournalRow>(`
      SELECT * FROM journal
      WHERE NOT EXISTS (SELECT 1 FROM events WHERE events.id = journal.event_id)
      ORDER BY event_id`),
    selectEvent: database.prepare<[string], StoredEvent>(`${EVENT_SELECT} WHERE events.id = ?`),
    ping: database.prepare<[], { ok: number }>('SELECT 1 AS ok'),
  };
}

/** List queries differ by which filters are set; each shape is prepared once, on first use. */
function listStatementCache(
  database: Database.Database,
): (sql: string) => Statement<[ListParameters], StoredEvent> {
  const statements = new Map<string, Statement<[ListParameters], StoredEvent>>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = database.prepare<[ListParameters], StoredEvent>(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}

/** One page of a list: fetches one row more than asked to learn whether a next page exists. */
function listPage(
  statementFor: (sql: string) => Statement<[ListParameters], StoredEvent>,
  filter: EventFilter,
  limit: number,
  cursor: string | null,
): EventPage {
  const pageSize = clampPageSize(limit);
  const conditions: string[] = [];
  const parameters: ListParameters = { limit: pageSize + 1 };

  for (const [name, column] of Object.entries(FILTER_COLUMNS)) {
    const value = filter[name as keyof typeof FILTER_COLUMNS];
    if (value === undefined) continue;
    conditions.push(`events.${column} = @${name}`);
    parameters[name] = value;
  }
  if (filter.policyAction !== undefined) {
    // No index: decisions are few per event, and the other filters narrow the scan first.
    conditions.push(`EXISTS (SELECT 1 FROM json_each(events.envelope, '$.policy')
      WHERE json_extract(json_each.value, '$.action') = @policyAction)`);
    parameters.policyAction = filter.policyAction;
  }
  if (filter.teams !== undefined) {
    const names = filter.teams.map((_team, index) => `@team${index}`);
    conditions.push(names.length > 0 ? `events.team_id IN (${names.join(', ')})` : '0');
    filter.teams.forEach((team, index) => (parameters[`team${index}`] = team));
  }
  if (filter.from !== undefined) {
    conditions.push('events.time >= @from');
    parameters.from = filterTime('from', filter.from);
  }
  if (filter.to !== undefined) {
    conditions.push('events.time < @to');
    parameters.to = filterTime('to', filter.to);
  }
  if (cursor !== null) {
    conditions.push('events.id < @cursor');
    parameters.cursor = decodeCursor(cursor);
  }

  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const sql = `${EVENT_SELECT} ${where} ORDER BY events.id DESC LIMIT @limit`;
  const rows = statementFor(sql).all(parameters);
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return {
    events: page.map(fromStoredEvent),
    nextCursor: rows.length > pageSize && last ? encodeCursor(last.id) : null,
  };
}

/** The page size actually served: a whole number from 1 to `MAX_PAGE_SIZE`. */
function clampPageSize(limit: number): number {
  if (Number.isNaN(limit)) return MAX_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit)));
}

/**
 * Times are compared as text, which orders correctly only in one form; stored and filter
 * times are both brought to `toISOString()` (UTC, milliseconds).
 */
function sortableTime(time: string): string {
  const milliseconds = Date.parse(time);
  return Number.isNaN(milliseconds) ? time : new Date(milliseconds).toISOString();
}

function ignoreError(run: () => unknown): void {
  try {
    run();
  } catch {
    // Reported through onCheckpoint; the next append or tick tries again.
  }
}

function filterTime(name: 'from' | 'to', time: string): string {
  if (Number.isNaN(Date.parse(time))) {
    throw new RangeError(`${name} must be an ISO 8601 time, got "${time}"`);
  }
  return sortableTime(time);
}

function toEventRow(event: AuditEvent, envelope = JSON.stringify(event)): EventRow {
  const { identity, attribution, request, response } = event;
  return {
    id: event.id,
    kind: event.kind,
    time: sortableTime(event.time),
    user_id: identity.userId ?? attribution.userId,
    session_id: identity.sessionId,
    trace_id: event.trace.traceId,
    agent_id: identity.agentId ?? attribution.agentId,
    app_id: identity.appId ?? attribution.appId,
    team_id: identity.teamId ?? attribution.teamId,
    provider: request?.provider || null,
    model: request?.model ?? response?.model ?? null,
    outcome: event.outcome.status,
    envelope,
    ...eventSpendColumns(event),
    log_id: null,
    leaf_index: null,
    leaf_hash: null,
    content_commitment: null,
  };
}

function fromStoredEvent(stored: StoredEvent): AuditEvent {
  // Both columns hold JSON this store wrote itself from typed values.
  const envelope = JSON.parse(stored.envelope) as AuditEvent;
  const content = stored.content === null ? null : (JSON.parse(stored.content) as EventContent);
  return joinContent(envelope, content);
}

function toJournalRow(entry: JournalEntry): JournalRow {
  return {
    event_id: entry.eventId,
    time: entry.time,
    method: entry.method,
    path: entry.path,
    provider: entry.provider,
    model: entry.model,
    key_fingerprint: entry.keyFingerprint,
    client_address: entry.clientAddress,
    trace_id: entry.traceId,
    span_id: entry.spanId,
    parent_span_id: entry.parentSpanId,
  };
}

function fromJournalRow(row: JournalRow): JournalEntry {
  return {
    eventId: row.event_id,
    time: row.time,
    method: row.method,
    path: row.path,
    provider: row.provider,
    model: row.model,
    keyFingerprint: row.key_fingerprint,
    clientAddress: row.client_address,
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
  };
}
