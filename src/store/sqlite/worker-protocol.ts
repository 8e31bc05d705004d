/** Messages between the gateway and the thread that owns the SQLite connections. */
import type { LedgerSetup } from './ledger.js';
import type { CheckpointResult } from './index.js';

/** What the thread is started with (`workerData`). */
export type WorkerSetup = {
  path: string;
  role: 'store' | 'checkpointer';
  intervalMs: number;
  ledger?: LedgerSetup;
};

/** The store methods the thread serves. */
export type StoreMethod =
  | 'journal'
  | 'append'
  | 'orphanedJournal'
  | 'getEvent'
  | 'listEvents'
  | 'ping'
  | 'close'
  // Spend.
  | 'spend'
  | 'traceSpend'
  // The ledger, erasure and holds.
  | 'ledgerState'
  | 'listCheckpoints'
  | 'checkpointNow'
  | 'eventProof'
  | 'consistencyProof'
  | 'evidenceBundle'
  | 'erase'
  | 'createHold'
  | 'listHolds'
  | 'releaseHold'
  | 'journalBacklog'
  | KeyMethod;

/** The virtual-key and API-token methods. */
type KeyMethod =
  | 'createKey'
  | 'findKey'
  | 'listKeys'
  | 'revokeKey'
  | 'createToken'
  | 'findToken'
  | 'listTokens'
  | 'revokeToken';

export type StoreRequest = { id: number; method: StoreMethod; args: unknown[] };

/** An error as it crosses the thread boundary; its code and status survive. */
export type SerializedError = { name: string; message: string; code?: string; status?: number };

export type StoreReply =
  | { id: number; result: unknown }
  | { id: number; error: SerializedError }
  | { ready: true }
  | { ledger: CheckpointResult }
  | { startError: SerializedError };

/** Flattens an error to what a structured clone keeps. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code, status } = error as Error & { code?: unknown; status?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
  };
}

/** Rebuilds an error on this side with the name, code and status it had over there. */
export function reviveError(serialized: SerializedError): Error {
  const error = new Error(serialized.message) as Error & { code?: string; status?: number };
  error.name = serialized.name;
  if (serialized.code !== undefined) error.code = serialized.code;
  if (serialized.status !== undefined) error.status = serialized.status;
  return error;
}
