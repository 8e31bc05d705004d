/**
 * Reads a SQLite store read-only and verifies every log in it. It never migrates or writes,
 * so it can run on a stopped gateway's folder, or on a copy.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { StoredCheckpoint } from '../../ledger/types.js';
import { LogVerifier, type Finding, type LeafRow, type LogReport } from '../../ledger/verify.js';

/** What verifying a store found. */
export type StoreReport = {
  logs: LogReport[];
  /** Events stored before the log began (the ledger was off then): not leaves, not wrong. */
  unledgered: number;
  /** Events with no log of their own, stored after a log began: inserted. */
  findings: Finding[];
};

export type VerifyStoreOptions = {
  /** The key the checkpoints must verify with; `null` uses each log's stored key. */
  publicKey: Buffer | null;
  /** Told of progress after every so many events. */
  onProgress?: (done: number, total: number) => void;
};

type LogRow = {
  log_id: string;
  origin: string;
  public_key: string;
  tree_size: number;
  created_at: string;
};
type EventRow = {
  id: string;
  leaf_index: number | null;
  leaf_hash: string | null;
  envelope: string;
  content_commitment: string | null;
  content: string | null;
  salt: string | null;
};

const PROGRESS_EVERY = 1000;

/** Verifies every log of the store at `path`. */
export function verifyStoreFile(path: string, options: VerifyStoreOptions): StoreReport {
  if (!existsSync(path)) throw new Error(`no store at ${path}`);
  const database = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return verifyDatabase(database, options);
  } finally {
    database.close();
  }
}

function verifyDatabase(database: Database.Database, options: VerifyStoreOptions): StoreReport {
  const hasLedger = database
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_logs'")
    .get();
  if (!hasLedger)
    throw new Error('this store has no ledger (it was written by an older auditgate)');

  const total = (
    database.prepare('SELECT COUNT(*) AS count FROM events').get() as { count: number }
  ).count;
  const logs = database
    .prepare<[], LogRow>('SELECT * FROM ledger_logs ORDER BY created_at, log_id')
    .all();
  const checkpoints = database.prepare<[string], StoredCheckpoint>(`
    SELECT log_id AS logId, tree_size AS treeSize, root_hash AS rootHash, note, time
    FROM ledger_checkpoints WHERE log_id = ? ORDER BY tree_size`);
  const leaves = database.prepare<[string], EventRow>(`
    SELECT events.id, events.leaf_index, events.leaf_hash, events.envelope,
      events.content_commitment, event_content.content, event_content.salt
    FROM events LEFT JOIN event_content ON event_content.event_id = events.id
    WHERE events.log_id = ? ORDER BY events.leaf_index`);

  const erasures = erasuresInStore(database);
  let done = 0;
  const reports: LogReport[] = [];
  for (const log of logs) {
    const storedKey = Buffer.from(log.public_key, 'base64');
    const publicKey = options.publicKey ?? storedKey;
    const verifier = new LogVerifier(
      { logId: log.log_id, origin: log.origin, publicKey, recordedSize: log.tree_size },
      checkpoints.all(log.log_id),
      erasures,
    );
    for (const row of leaves.iterate(log.log_id)) {
      verifier.add(toLeafRow(row));
      done += 1;
      if (done % PROGRESS_EVERY === 0) options.onProgress?.(done, total);
    }
    const report = verifier.finish();
    if (!storedKey.equals(publicKey)) {
      report.findings.unshift({
        problem: 'log_key',
        logId: log.log_id,
        eventId: null,
        index: null,
        message: `log ${log.log_id}: the public key stored with it is not the ledger key given`,
      });
    }
    reports.push(report);
  }

  const { unledgered, findings } = eventsOutsideLogs(database, logs);
  done += unledgered + findings.length;
  options.onProgress?.(Math.min(done, total), total);
  return { logs: reports, unledgered, findings };
}

/**
 * Which erasure event erased each event's content, across every log: an erasure recorded by
 * one instance may name events of another. Each erasure event is itself checked in its log.
 */
function erasuresInStore(database: Database.Database): Map<string, string> {
  const erasedBy = new Map<string, string>();
  const rows = database
    .prepare<[], { id: string; envelope: string }>(
      "SELECT id, envelope FROM events WHERE kind = 'erasure' AND outcome = 'ok'",
    )
    .all();
  for (const row of rows) {
    try {
      const envelope = JSON.parse(row.envelope) as { erasure?: { eventIds?: unknown } };
      const ids = envelope.erasure?.eventIds;
      if (!Array.isArray(ids)) continue;
      for (const id of ids) if (typeof id === 'string') erasedBy.set(id, row.id);
    } catch {
      // A broken envelope is reported by its own log's pass.
    }
  }
  return erasedBy;
}

/** Events with no log: before the first log began they are old; after, inserted. */
function eventsOutsideLogs(database: Database.Database, logs: LogRow[]) {
  const firstLog = logs.map((log) => log.created_at).sort()[0] ?? null;
  const rows = database
    .prepare<[], { id: string; time: string }>(
      'SELECT id, time FROM events WHERE log_id IS NULL ORDER BY id',
    )
    .all();
  const findings: Finding[] = [];
  let unledgered = 0;
  for (const row of rows) {
    if (firstLog !== null && row.time >= firstLog) {
      findings.push({
        problem: 'inserted',
        logId: '',
        eventId: row.id,
        index: null,
        message: `event ${row.id} is in no log, though it is dated after the ledger began`,
      });
    } else unledgered += 1;
  }
  return { unledgered, findings };
}

function toLeafRow(row: EventRow): LeafRow {
  return {
    id: row.id,
    leafIndex: row.leaf_index,
    leafHash: row.leaf_hash,
    envelope: row.envelope,
    commitment: row.content_commitment,
    content: row.content,
    salt: row.salt,
  };
}
