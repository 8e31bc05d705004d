import { Worker } from 'node:worker_threads';
import type { Store } from '../types.js';
import type { CheckpointResult } from './index.js';
import type { LedgerSetup } from './ledger.js';
import {
  reviveError,
  type StoreMethod,
  type StoreReply,
  type WorkerSetup,
} from './worker-protocol.js';

const CHECKPOINT_INTERVAL_MS = 1000;

/** The store is gone: its thread stopped, or the store was closed. */
export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable';
  constructor(reason: string) {
    super(`the store is unavailable: ${reason}`);
    this.name = 'StoreUnavailableError';
  }
}

/** What the store thread keeps besides events: the ledger, and who hears of its checkpoints. */
export type WorkerStoreOptions = {
  ledger?: LedgerSetup;
  onCheckpoint?: (result: CheckpointResult) => void;
};

/**
 * Opens the SQLite store at `path` on a thread of its own, with a second thread that
 * checkpoints its WAL, and returns a Store whose calls are messages to that thread.
 */
export async function openSqliteWorkerStore(
  path: string,
  options: WorkerStoreOptions = {},
): Promise<Store> {
  const storeThread = await startThread({
    path,
    role: 'store',
    intervalMs: 0,
    ...(options.ledger ? { ledger: options.ledger } : {}),
  });
  const checkpointer = await startThread({
    path,
    role: 'checkpointer',
    intervalMs: CHECKPOINT_INTERVAL_MS,
  }).catch(async (error: unknown) => {
    await storeThread.terminate();
    throw error;
  });
  return createClient(storeThread, checkpointer, options.onCheckpoint ?? (() => {}));
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

function createClient(
  worker: Worker,
  checkpointer: Worker,
  onCheckpoint: (result: CheckpointResult) => void,
): Store {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let stopped: string | null = null;

  const failAll = (reason: string) => {
    stopped ??= reason;
    for (const waiting of pending.values()) waiting.reject(new StoreUnavailableError(reason));
    pending.clear();
  };
  worker.on('message', (message: StoreReply) => {
    if ('ledger' in message) onCheckpoint(message.ledger);
    if (!('id' in message)) return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if ('error' in message) waiting?.reject(reviveError(message.error));
    else waiting?.resolve(message.result);
  });
  worker.on('error', (error) => failAll(error.message));
  worker.on('exit', (code) => failAll(`its thread exited (${code})`));

  const call = <Result>(method: StoreMethod, ...args: unknown[]): Promise<Result> => {
    if (stopped) return Promise.reject(new StoreUnavailableError(stopped));
    const id = nextId++;
    return new Promise<Result>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, method, args });
    });
  };

  return {
    journal: (entry) => call('journal', entry),
    append: (records) => call('append', records),
    orphanedJournal: () => call('orphanedJournal'),
    getEvent: (id) => call('getEvent', id),
    listEvents: (filter, limit, cursor) => call('listEvents', filter, limit, cursor),
    spend: (query) => call('spend', query),
    traceSpend: (traceId) => call('traceSpend', traceId),
    ledgerState: () => call('ledgerState'),
    listCheckpoints: (logId, limit) => call('listCheckpoints', logId, limit),
    checkpointNow: () => call('checkpointNow'),
    eventProof: (id) => call('eventProof', id),
    consistencyProof: (logId, from, to) => call('consistencyProof', logId, from, to),
    evidenceBundle: (from, to) => call('evidenceBundle', from, to),
    erase: (subject, reason, event) => call('erase', subject, reason, event),
    createHold: (hold) => call('createHold', hold),
    listHolds: (includeReleased) => call('listHolds', includeReleased),
    releaseHold: (id) => call('releaseHold', id),
    journalBacklog: () => call('journalBacklog'),
    createKey: (key, secretHash) => call('createKey', key, secretHash),
    findKey: (secretHash) => call('findKey', secretHash),
    listKeys: (limit, cursor) => call('listKeys', limit, cursor),
    revokeKey: (id, time) => call('revokeKey', id, time),
    createToken: (token, secretHash) => call('createToken', token, secretHash),
    findToken: (secretHash) => call('findToken', secretHash),
    listTokens: (limit, cursor) => call('listTokens', limit, cursor),
    revokeToken: (id, time) => call('revokeToken', id, time),
    ping: () => (stopped ? Promise.resolve(false) : call<boolean>('ping')),
    async close() {
      if (stopped) return;
      checkpointer.postMessage('stop');
      await call('close');
      stopped = 'the store was closed';
      await Promise.all([worker.terminate(), checkpointer.terminate()]);
    },
  };
}

/** Starts one thread and waits until it has opened its connection. */
function startThread(setup: WorkerSetup): Promise<Worker> {
  const worker = spawnHost(setup);
  return new Promise((resolve, reject) => {
    worker.once('message', (message: StoreReply) => {
      if ('startError' in message) {
        void worker.terminate();
        reject(reviveError(message.startError));
      } else resolve(worker);
    });
    worker.once('error', reject);
  });
}

/**
 * Spawns the host module. Run from TypeScript sources (tests, `tsx`), the thread registers
 * tsx itself, since Node 20 does not pass `--import` hooks on to worker threads.
 */
function spawnHost(setup: WorkerSetup): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const host = new URL(fromSource ? './worker-host.ts' : './worker-host.js', import.meta.url);
  if (!fromSource) return new Worker(host, { workerData: setup });

  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const hostUrl = JSON.stringify(host.href);
  const bootstrap = `import(${tsx}).then((tsx) => { tsx.register(); return import(${hostUrl}); });`;
  return new Worker(bootstrap, { eval: true, workerData: setup });
}
