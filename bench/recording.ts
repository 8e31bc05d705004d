/**
 * After the load: did the gateway record every request sent through it? Reads the gateway's
 * SQLite file directly (read-only), after asking the gateway to flush its writer.
 */
import Database from 'better-sqlite3';

export type RecordingCheck = {
  /** Requests the load generator sent through the gateway, warm-up included. */
  sent: number;
  /** `llm.call` events in the store. */
  llmCalls: number;
  /** Events of any other kind (none are expected). */
  otherEvents: number;
  /** `llm.call` events per outcome status. */
  byOutcome: Record<string, number>;
  /** `llm.call` events whose request was streamed. */
  streamed: number;
  /** Journal rows left without an event: calls begun and never finished. */
  journalLeft: number;
  /** The gateway's own `timing.overheadMs` of every non-streamed call. */
  plainOverheadMs: number[];
  /** How long the final flush waited for the writer. */
  flushMs: number;
};

type CountRow = { name: string; count: number };

const KIND_COUNTS = 'SELECT kind AS name, COUNT(*) AS count FROM events GROUP BY kind';
const OUTCOME_COUNTS = `SELECT outcome AS name, COUNT(*) AS count FROM events
  WHERE kind = 'llm.call' GROUP BY outcome`;
const STREAMED = `SELECT COUNT(*) AS count FROM events
  WHERE kind = 'llm.call' AND json_extract(envelope, '$.request.stream') = 1`;
const PLAIN_OVERHEADS = `SELECT json_extract(envelope, '$.timing.overheadMs') AS overhead
  FROM events WHERE kind = 'llm.call' AND json_extract(envelope, '$.request.stream') = 0`;
const JOURNAL_LEFT = 'SELECT COUNT(*) AS count FROM journal';

function countOf(database: Database.Database, sql: string): number {
  return database.prepare<[], { count: number }>(sql).get()?.count ?? 0;
}

/** Counts what the store holds; `sent` and `flushMs` come from the caller. */
export function readRecording(databasePath: string, sent: number, flushMs: number) {
  const database = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const kinds = database.prepare<[], CountRow>(KIND_COUNTS).all();
    const outcomes = database.prepare<[], CountRow>(OUTCOME_COUNTS).all();
    const overheads = database.prepare<[], { overhead: number }>(PLAIN_OVERHEADS).all();
    const llmCalls = kinds.find((row) => row.name === 'llm.call')?.count ?? 0;
    const allEvents = kinds.reduce((total, row) => total + row.count, 0);
    return {
      sent,
      llmCalls,
      otherEvents: allEvents - llmCalls,
      byOutcome: Object.fromEntries(outcomes.map((row) => [row.name, row.count])),
      streamed: countOf(database, STREAMED),
      journalLeft: countOf(database, JOURNAL_LEFT),
      plainOverheadMs: overheads.map((row) => row.overhead),
      flushMs,
    } satisfies RecordingCheck;
  } finally {
    database.close();
  }
}
