/**
 * Recomputes a log from its stored leaves and checks it against its signed checkpoints,
 * naming each event changed, removed, reordered or inserted, each content row that no longer
 * opens its commitment, and each checkpoint whose signature or root fails. It reads rows one
 * at a time and keeps O(log n) state besides the findings.
 */
import { openCheckpoint } from './checkpoint.js';
import { contentMatches, leafHashOf } from './leaf.js';
import { Frontier } from './merkle.js';
import type { StoredCheckpoint } from './types.js';

/** What is wrong. */
export type Problem =
  | 'changed'
  | 'removed'
  | 'reordered'
  | 'inserted'
  | 'content_changed'
  | 'content_missing'
  | 'checkpoint_signature'
  | 'checkpoint_root'
  | 'log_key';

/** One thing verification found wrong, naming the event (or leaf index, or checkpoint). */
export type Finding = {
  problem: Problem;
  logId: string;
  eventId: string | null;
  index: number | null;
  message: string;
};

/** Content that is gone because an `erasure` event erased it: reported, not a failure. */
export type ErasedContent = { eventId: string; erasedBy: string };

/** What verification found in one log. */
export type LogReport = {
  logId: string;
  origin: string;
  /** Leaves read from the store. */
  events: number;
  /** The size the log's own record says it has. */
  recordedSize: number;
  checkpoints: number;
  lastCheckpointSize: number | null;
  erased: ErasedContent[];
  findings: Finding[];
};

/** A log as the store records it. */
export type LogRecord = {
  logId: string;
  origin: string;
  /** Raw Ed25519 public key the checkpoints must verify with. */
  publicKey: Buffer;
  recordedSize: number;
};

/** One stored event of a log, in leaf order. */
export type LeafRow = {
  id: string;
  leafIndex: number | null;
  leafHash: string | null;
  /** The envelope's JSON as stored. */
  envelope: string;
  commitment: string | null;
  /** The content's JSON, `null` when the content row is absent. */
  content: string | null;
  salt: string | null;
};

type PendingRemoval = { index: number; before: string | null };

/** Verifies one log: feed it the leaves in index order, then call `finish`. */
export class LogVerifier {
  readonly #log: LogRecord;
  /** Checkpoints whose signature verified, by tree size, root as hex. */
  readonly #signedRoots = new Map<number, string>();
  readonly #frontier = new Frontier();
  readonly #findings: Finding[] = [];
  readonly #erasedBy = new Map<string, string>();
  readonly #otherErasures: ReadonlyMap<string, string>;
  /** The largest signed size whose root matched, below any mismatch. */
  #lastMatchedSize = 0;
  #rootMismatch = false;
  readonly #contentGone: { id: string; index: number }[] = [];
  #checkpointCount = 0;
  #lastCheckpointSize: number | null = null;
  #position = 0;
  #events = 0;
  #previousId: string | null = null;
  #removals: PendingRemoval[] = [];

  /**
   * `otherErasures` maps event ids to the erasure events of other logs of the same store that
   * erased their content (each erasure event is checked as a leaf of its own log).
   */
  constructor(
    log: LogRecord,
    checkpoints: readonly StoredCheckpoint[],
    otherErasures: ReadonlyMap<string, string> = new Map(),
  ) {
    this.#log = log;
    this.#otherErasures = otherErasures;
    for (const checkpoint of checkpoints) this.#checkSignature(checkpoint);
  }

  /** Checks one stored event; rows must come in leaf-index order. */
  add(row: LeafRow): void {
    this.#events += 1;
    if (row.leafIndex === null || row.leafIndex < this.#position) {
      this.#find('inserted', row.id, row.leafIndex, `event ${row.id} is not a leaf of the log`);
      return;
    }
    for (; this.#position < row.leafIndex; this.#position += 1) {
      this.#removals.push({ index: this.#position, before: this.#previousId });
    }
    this.#flushRemovals(row.id);

    const envelope = parseObject(row.envelope);
    const commitment = row.commitment;
    const recomputed = envelope ? leafHashOf(envelope, commitment).toString('hex') : '';
    const position = envelope ? ledgerPosition(envelope) : null;
    if (!envelope) {
      this.#find('changed', row.id, row.leafIndex, `event ${row.id}: its envelope is not JSON`);
    } else if (position?.logId !== this.#log.logId || position.index !== row.leafIndex) {
      const said = position ? `index ${position.index} of log ${position.logId}` : 'no leaf';
      this.#find(
        'reordered',
        row.id,
        row.leafIndex,
        `event ${row.id} sits at index ${row.leafIndex}, but its envelope says ${said}`,
      );
    } else if (recomputed !== row.leafHash || recomputed !== position.leafHash) {
      this.#find(
        'changed',
        row.id,
        row.leafIndex,
        `event ${row.id} at index ${row.leafIndex} no longer matches its leaf hash`,
      );
    } else if (envelope.kind === 'erasure') {
      for (const erased of erasedIds(envelope)) this.#erasedBy.set(erased, row.id);
    }
    if (row.leafIndex >= this.#log.recordedSize) {
      this.#find(
        'inserted',
        row.id,
        row.leafIndex,
        `event ${row.id} at index ${row.leafIndex} is past the log's recorded size ${this.#log.recordedSize}`,
      );
    }

    this.#frontier.append(Buffer.from(recomputed || '00'.repeat(32), 'hex'));
    this.#position = row.leafIndex + 1;
    this.#previousId = row.id;
    this.#checkContent(row);
    this.#checkRootAt(this.#frontier.size);
  }

  /** Finishes the log: leaves missing at its end, content gone, checkpoints past the data. */
  finish(): LogReport {
    for (; this.#position < this.#log.recordedSize; this.#position += 1) {
      this.#removals.push({ index: this.#position, before: this.#previousId });
    }
    this.#flushRemovals(null);
    for (const [size] of this.#signedRoots) {
      if (size > this.#frontier.size) {
        this.#find(
          'checkpoint_root',
          null,
          null,
          `checkpoint at size ${size} covers leaves that are missing`,
        );
      }
    }

    const erased: ErasedContent[] = [];
    for (const { id, index } of this.#contentGone) {
      const erasedBy = this.#erasedBy.get(id) ?? this.#otherErasures.get(id);
      if (erasedBy) erased.push({ eventId: id, erasedBy });
      else
        this.#find(
          'content_missing',
          id,
          index,
          `event ${id}: its content was deleted, and no erasure event names it`,
        );
    }
    return {
      logId: this.#log.logId,
      origin: this.#log.origin,
      events: this.#events,
      recordedSize: this.#log.recordedSize,
      checkpoints: this.#checkpointCount,
      lastCheckpointSize: this.#lastCheckpointSize,
      erased,
      findings: this.#findings,
    };
  }

  #checkSignature(checkpoint: StoredCheckpoint): void {
    this.#checkpointCount += 1;
    const opened = openCheckpoint(checkpoint.note, {
      name: this.#log.origin,
      publicKey: this.#log.publicKey,
    });
    const where = `checkpoint at size ${checkpoint.treeSize}`;
    if (!opened.ok) {
      this.#find(
        'checkpoint_signature',
        null,
        null,
        `${where}: its signature does not verify (${opened.failure})`,
      );
      return;
    }
    const signed = opened.checkpoint;
    if (
      signed.origin !== this.#log.origin ||
      signed.treeSize !== checkpoint.treeSize ||
      signed.rootHash.toString('hex') !== checkpoint.rootHash
    ) {
      this.#find(
        'checkpoint_signature',
        null,
        null,
        `${where}: the stored size or root differs from its signed note`,
      );
      return;
    }
    this.#signedRoots.set(signed.treeSize, signed.rootHash.toString('hex'));
    this.#lastCheckpointSize = Math.max(this.#lastCheckpointSize ?? 0, signed.treeSize);
  }

  #checkRootAt(size: number): void {
    const signed = this.#signedRoots.get(size);
    if (signed === undefined) return;
    if (this.#frontier.root().toString('hex') === signed) {
      if (!this.#rootMismatch) this.#lastMatchedSize = size;
      return;
    }
    // The first mismatch narrows the change to the leaves since the last checkpoint that held.
    const where = this.#rootMismatch
      ? ''
      : ` (a leaf from index ${this.#lastMatchedSize} to ${size - 1} was changed)`;
    this.#rootMismatch = true;
    this.#find(
      'checkpoint_root',
      null,
      size - 1,
      `checkpoint at size ${size}: the events stored now hash to another root than it signed${where}`,
    );
  }

  #checkContent(row: LeafRow): void {
    const index = row.leafIndex ?? -1;
    if (row.commitment === null) {
      if (row.content !== null) {
        this.#find(
          'content_changed',
          row.id,
          index,
          `event ${row.id}: content is stored where its leaf committed to none`,
        );
      }
      return;
    }
    if (row.content === null) {
      this.#contentGone.push({ id: row.id, index });
      return;
    }
    const content = parseJson(row.content);
    if (
      row.salt === null ||
      content === undefined ||
      !contentMatches(content, row.salt, row.commitment)
    ) {
      this.#find(
        'content_changed',
        row.id,
        index,
        `event ${row.id}: its content no longer matches its commitment`,
      );
    }
  }

  #flushRemovals(after: string | null): void {
    for (const removal of this.#removals) {
      const between = `after ${removal.before ?? 'the start of the log'} and before ${after ?? 'the end of the log'}`;
      this.#find(
        'removed',
        null,
        removal.index,
        `the event at index ${removal.index} was removed (${between})`,
      );
    }
    this.#removals = [];
  }

  #find(problem: Problem, eventId: string | null, index: number | null, message: string): void {
    this.#findings.push({ problem, logId: this.#log.logId, eventId, index, message });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseObject(text: string): Record<string, unknown> | null {
  const value = parseJson(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function ledgerPosition(envelope: Record<string, unknown>) {
  const ledger = envelope.ledger as { logId?: unknown; index?: unknown; leafHash?: unknown } | null;
  if (typeof ledger !== 'object' || ledger === null) return null;
  const { logId, index, leafHash } = ledger;
  if (typeof logId !== 'string' || typeof index !== 'number' || typeof leafHash !== 'string') {
    return null;
  }
  return { logId, index, leafHash };
}

function erasedIds(envelope: Record<string, unknown>): string[] {
  const erasure = envelope.erasure as { eventIds?: unknown } | undefined;
  const ids = erasure?.eventIds;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}
