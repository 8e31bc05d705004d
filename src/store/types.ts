import type { AuditEvent } from '../event/types.js';
import type { EventContent } from '../event/content.js';
import type {
  ConsistencyProof,
  ErasureResult,
  EventProof,
  EvidenceBundle,
  Hold,
  LogState,
  NewHold,
  StoredCheckpoint,
} from '../ledger/types.js';
import type { VirtualKey } from '../identity/keys.js';
import type { ApiToken } from '../identity/tokens.js';

/**
 * A request written down before it is forwarded, so that a crash leaves a trace of every
 * call already sent. Committing the request's event removes its journal row.
 */
export type JournalEntry = {
  eventId: string;
  time: string;
  method: string;
  path: string;
  provider: string | null;
  model: string | null;
  keyFingerprint: string | null;
  clientAddress: string | null;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
};

/** One event to store: its envelope, and its content already through `protectContent`. */
export type EventRecord = { envelope: AuditEvent; content: EventContent | null };

export type EventFilter = {
  user?: string;
  session?: string;
  trace?: string;
  agent?: string;
  app?: string;
  team?: string;
  provider?: string;
  model?: string;
  kind?: string;
  outcome?: string;
  /** Events with a policy decision that took this action (the policy exception log). */
  policyAction?: string;
  /** Events of these teams only (a token limited to teams); an empty list matches none. */
  teams?: string[];
  /** ISO 8601 times, inclusive `from`, exclusive `to`. */
  from?: string;
  to?: string;
};

export type EventPage = { events: AuditEvent[]; nextCursor: string | null };

export type KeyPage = { keys: VirtualKey[]; nextCursor: string | null };

export type TokenPage = { tokens: ApiToken[]; nextCursor: string | null };

/**
 * Where events live. Engines: SQLite now, PostgreSQL later; methods return promises so that
 * a networked engine fits the same shape.
 */
export type Store = SpendStore & {
  /** Writes one journal row; the caller awaits it before forwarding upstream. */
  journal(entry: JournalEntry): Promise<void>;
  /** Writes events with their content in one transaction and clears their journal rows. */
  append(records: EventRecord[]): Promise<void>;
  /** Journal rows whose event never arrived (a crash or kill mid-call). */
  orphanedJournal(): Promise<JournalEntry[]>;
  getEvent(id: string): Promise<AuditEvent | null>;
  /** Events newest first; `cursor` is the `nextCursor` of the page before. */
  listEvents(filter: EventFilter, limit: number, cursor: string | null): Promise<EventPage>;

  // The ledger, erasure and holds. A store opened without a ledger answers the
  // reads with empty results and refuses the writes.

  /** Every log in the store, with its size and latest checkpoint. */
  ledgerState(): Promise<LogState[]>;
  /** A log's checkpoints, newest first; `logId` `null` is this instance's log. */
  listCheckpoints(logId: string | null, limit: number): Promise<StoredCheckpoint[]>;
  /** Signs a checkpoint now if this instance's log grew since its last; returns the latest. */
  checkpointNow(): Promise<StoredCheckpoint | null>;
  /** An event's inclusion proof against its log's latest checkpoint (signed now if needed). */
  eventProof(id: string): Promise<EventProof | null>;
  /** A consistency proof between two tree sizes of a log. */
  consistencyProof(logId: string | null, from: number, to: number): Promise<ConsistencyProof>;
  /** Events of `[from, to)` with their content, proofs, checkpoints and public keys. */
  evidenceBundle(from: string, to: string): Promise<EvidenceBundle>;
  /**
   * Deletes the content and salts of a subject's events and appends `event` (kind
   * `erasure`) naming them, in one transaction; an active hold refuses it, and `event`
   * records the refusal instead.
   */
  erase(subject: string, reason: string, event: AuditEvent): Promise<ErasureResult>;
  createHold(hold: NewHold): Promise<Hold>;
  /** Holds, newest first; released ones too when asked. */
  listHolds(includeReleased: boolean): Promise<Hold[]>;
  /** Releases a hold; `null` if there is none with that id. */
  releaseHold(id: string): Promise<Hold | null>;
  /** Journal rows of calls still in flight (or orphaned), for the health route. */
  journalBacklog(): Promise<number>;

  // Virtual keys. A key is stored as the SHA-256 of its text, never the text.
  /** Stores a new key under the hash of its text. */
  createKey(key: VirtualKey, secretHash: string): Promise<void>;
  /** The key whose text hashes to `secretHash`, revoked and expired ones included. */
  findKey(secretHash: string): Promise<VirtualKey | null>;
  /** Keys newest first; `cursor` is the `nextCursor` of the page before. */
  listKeys(limit: number, cursor: string | null): Promise<KeyPage>;
  /** Marks a key revoked at `time` (a key revoked before keeps its first time); `null` if none. */
  revokeKey(id: string, time: string): Promise<VirtualKey | null>;
  // People's API tokens, stored as the SHA-256 of their text.
  /** Stores a new API token under the hash of its text. */
  createToken(token: ApiToken, secretHash: string): Promise<void>;
  /** The token whose text hashes to `secretHash`, revoked ones included. */
  findToken(secretHash: string): Promise<ApiToken | null>;
  /** Tokens newest first; `cursor` is the `nextCursor` of the page before. */
  listTokens(limit: number, cursor: string | null): Promise<TokenPage>;
  /** Marks a token revoked at `time` (keeping an earlier time); `null` if none has this id. */
  revokeToken(id: string, time: string): Promise<ApiToken | null>;

  /** Whether the store answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
};

/** The attribution dimensions spend is grouped and filtered by. */
export const SPEND_DIMENSIONS = [
  'key',
  'team',
  'businessUnit',
  'project',
  'app',
  'agent',
  'user',
  'provider',
  'model',
] as const;

export type SpendDimension = (typeof SPEND_DIMENSIONS)[number];

/** How spend is cut in time; `none` sums the whole range. */
export type SpendBucket = 'hour' | 'day' | 'month' | 'none';

export type SpendQuery = {
  groupBy: SpendDimension[];
  bucket: SpendBucket;
  /** ISO 8601 times, inclusive `from`, exclusive `to`, at hour resolution (the rollup's). */
  from?: string;
  to?: string;
  /** Exact matches on dimensions; `null` matches calls without that attribution. */
  where?: Partial<Record<SpendDimension, string | null>>;
  /** Only these teams' spend (an API token limited to teams); an empty list matches nothing. */
  teams?: string[];
};

/**
 * Spend of one group. `costUsd` sums the calls whose cost is known; calls without a price are
 * counted in `unknownCostCalls` (and their tokens in the token sums), never as 0 dollars.
 */
export type SpendRow = {
  bucket: string | null;
  group: Partial<Record<SpendDimension, string | null>>;
  calls: number;
  unknownCostCalls: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
};

/** Spend of one trace, from its events. */
export type TraceSpend = { costUsd: number; tokens: number; calls: number };

/** Spend queries, answered from the hourly rollup the append transaction keeps. */
export type SpendStore = {
  /** Spend grouped by `groupBy` and cut by `bucket`, largest cost first within each bucket. */
  spend(query: SpendQuery): Promise<SpendRow[]>;
  /** What one trace has spent so far (for trace budgets after a restart). */
  traceSpend(traceId: string): Promise<TraceSpend>;
};
