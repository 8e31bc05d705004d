import type { AuditEvent } from '../event/types.js';
import type { EventContent } from '../event/content.js';
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
export type Store = {
  /** Writes one journal row; the caller awaits it before forwarding upstream. */
  journal(entry: JournalEntry): Promise<void>;
  /** Writes events with their content in one transaction and clears their journal rows. */
  append(records: EventRecord[]): Promise<void>;
  /** Journal rows whose event never arrived (a crash or kill mid-call). */
  orphanedJournal(): Promise<JournalEntry[]>;
  getEvent(id: string): Promise<AuditEvent | null>;
  /** Events newest first; `cursor` is the `nextCursor` of the page before. */
  listEvents(filter: EventFilter, limit: number, cursor: string | null): Promise<EventPage>;

  // Virtual keys (issue 7). A key is stored as the SHA-256 of its text, never the text.
  /** Stores a new key under the hash of its text. */
  createKey(key: VirtualKey, secretHash: string): Promise<void>;
  /** The key whose text hashes to `secretHash`, revoked and expired ones included. */
  findKey(secretHash: string): Promise<VirtualKey | null>;
  /** Keys newest first; `cursor` is the `nextCursor` of the page before. */
  listKeys(limit: number, cursor: string | null): Promise<KeyPage>;
  /** Marks a key revoked at `time` (a key revoked before keeps its first time); `null` if none. */
  revokeKey(id: string, time: string): Promise<VirtualKey | null>;
  // People's API tokens (issue 7), stored as the SHA-256 of their text.
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
