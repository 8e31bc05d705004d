/**
 * The body of the threads that own the SQLite connections, so that no write, index update
 * or checkpoint runs on the gateway's event loop. Role `store` serves the Store methods;
 * role `checkpointer` copies the WAL into the database on a timer through its own
 * connection, which (PASSIVE) never holds up the store's writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { JournalEntry } from '../types.js';
import { openSqliteStore, type SqliteStore } from './index.js';
import {
  serializeError,
  type StoreReply,
  type StoreRequest,
  type WorkerSetup,
} from './worker-protocol.js';

const setup = workerData as WorkerSetup;
const port = parentPort;

function reply(message: StoreReply): void {
  port?.postMessage(message);
}

function serveStore(store: SqliteStore): void {
  let journalQueue: { id: number; entry: JournalEntry }[] = [];

  // Journal rows that arrive together are written in one transaction, then all answered.
  const flushJournal = () => {
    const batch = journalQueue;
    journalQueue = [];
    try {
      store.journalAll(batch.map((item) => item.entry));
      for (const item of batch) reply({ id: item.id, result: null });
    } catch (error) {
      for (const item of batch) reply({ id: item.id, error: serializeError(error) });
    }
  };

  port?.on('message', (request: StoreRequest) => {
    if (request.method === 'journal') {
      if (journalQueue.length === 0) setImmediate(flushJournal);
      journalQueue.push({ id: request.id, entry: request.args[0] as JournalEntry });
      return;
    }
    const method = store[request.method] as (...args: unknown[]) => Promise<unknown>;
    method.apply(store, request.args).then(
      (result) => reply({ id: request.id, result: result ?? null }),
      (error: unknown) => reply({ id: request.id, error: serializeError(error) }),
    );
  });
}

function runCheckpointer(): void {
  const database = new Database(setup.path);
  database.pragma('busy_timeout = 1000');
  const timer = setInterval(() => {
    try {
      database.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // A busy or closing database: the next tick tries again.
    }
  }, setup.intervalMs);
  port?.on('message', () => {
    clearInterval(timer);
    database.close();
    port.close();
  });
  reply({ ready: true });
}

try {
  if (setup.role === 'checkpointer') runCheckpointer();
  else {
    const store = openSqliteStore(setup.path, {
      checkpoints: 'manual',
      ...(setup.ledger ? { ledger: setup.ledger } : {}),
      onCheckpoint: (result) => reply({ ledger: result }),
    });
    serveStore(store);
    reply({ ready: true });
  }
} catch (error) {
  reply({ startError: serializeError(error) });
}
