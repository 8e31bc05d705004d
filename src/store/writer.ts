import { splitContent } from '../event/content.js';
import type { AuditEvent, PrivacyRecord } from '../event/types.js';
import { DETECTORS_VERSION } from '../privacy/scan.js';
import { storedUserId } from '../privacy/identity.js';
import { ephemeralSettings, protectContent, type ProtectionSettings } from '../privacy/protect.js';
import type { EventRecord, Store } from './types.js';

export type EventWriterOptions = {
  /** Called with each failed append (the batch stays queued) and each content-gate failure. */
  onError?: (error: unknown) => void;
  /** Most events per append; a queue this long is written at once. Default 500. */
  batchSize?: number;
  /** First wait before retrying a failed append, doubled each failure. Default 100 ms. */
  retryDelayMs?: number;
  /** Longest wait between retries. Default 10 s. */
  maxRetryDelayMs?: number;
  /**
   * The privacy gate's settings; default: names pseudonymised, the rest redacted, with keys
   * of this process alone.
   */
  privacy?: ProtectionSettings;
};

/** Raised by `record` after `close`. */
export class WriterClosedError extends Error {
  readonly code = 'writer_closed';

  constructor() {
    super('the event writer is closed; no more events can be recorded');
    this.name = 'WriterClosedError';
  }
}

type Waiter = { written: number; resolve: () => void };

/** Longest run of detection before the writer lets other work in. */
const PROTECT_SLICE_MS = 4;

function isRecord(item: EventRecord | AuditEvent): item is EventRecord {
  return 'envelope' in item;
}

function failedPrivacy(): PrivacyRecord {
  return { detectorsVersion: DETECTORS_VERSION, findings: [], failed: true };
}

let processSettings: ProtectionSettings | null = null;

/**
 * An event as the store takes it: envelope apart, content through the privacy gate, and what
 * the gate did in the envelope's `privacy`.
 */
export function toEventRecord(event: AuditEvent, settings?: ProtectionSettings): EventRecord {
  const { envelope, content } = splitContent(event);
  const gate = settings ?? (processSettings ??= ephemeralSettings());
  const { request } = envelope;
  const gated = protectContent(content, gate, request?.parameters ?? null);
  const userId = (value: string | null) => value && userIdOrRedacted(value, gate);
  return {
    envelope: {
      ...envelope,
      identity: { ...envelope.identity, userId: userId(envelope.identity.userId) },
      attribution: { ...envelope.attribution, userId: userId(envelope.attribution.userId) },
      request: request && { ...request, parameters: gated.parameters },
      privacy: gated.privacy,
    },
    content: gated.content,
  };
}

/** The user id through the gate; `[REDACTED]` if detection fails on it (fail closed). */
function userIdOrRedacted(userId: string, settings: ProtectionSettings): string {
  try {
    return storedUserId(userId, settings);
  } catch {
    return '[REDACTED]';
  }
}

/**
 * Takes finished events off the response path and writes them to the store in batches, one
 * append at a time. A failed append keeps its batch at the head of the queue and is retried
 * with capped exponential backoff, so nothing recorded is dropped while the process lives.
 * The writer does not own the store: closing the writer leaves the store open.
 */
export class EventWriter {
  readonly #store: Store;
  readonly #onError: (error: unknown) => void;
  readonly #batchSize: number;
  readonly #retryDelayMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #privacy: ProtectionSettings;

  /** Events as recorded; each goes through the privacy gate on its first write attempt. */
  readonly #queue: (EventRecord | AuditEvent)[] = [];
  #waiters: Waiter[] = [];
  /** Events ever queued and ever written; `flush` waits for the second to reach the first. */
  #queued = 0;
  #written = 0;
  #failures = 0;
  #writing = false;
  #closed = false;
  #scheduled: NodeJS.Immediate | null = null;
  #retryTimer: NodeJS.Timeout | null = null;

  constructor(store: Store, options: EventWriterOptions = {}) {
    this.#store = store;
    this.#onError = options.onError ?? (() => {});
    this.#batchSize = Math.max(1, options.batchSize ?? 500);
    this.#retryDelayMs = options.retryDelayMs ?? 100;
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? 10_000;
    this.#privacy = options.privacy ?? ephemeralSettings();
  }

  /** Events queued and not yet written. */
  get backlog(): number {
    return this.#queue.length;
  }

  /** Events whose write failed and that wait, still queued, for the next retry. */
  get failed(): number {
    return this.#failures > 0 ? this.#queue.length : 0;
  }

  /** Queues a finished event and returns at once; the write happens on a later turn. */
  record(event: AuditEvent): void {
    if (this.#closed) throw new WriterClosedError();
    // Detection runs when the batch is written, off the response path of this call.
    this.#queue.push(event);
    this.#queued += 1;

    if (this.#queue.length >= this.#batchSize) {
      this.#writeNow();
    } else if (!this.#scheduled && !this.#writing && !this.#retryTimer) {
      this.#scheduled = setImmediate(() => {
        this.#scheduled = null;
        void this.#drain();
      });
    }
  }

  /** Resolves once every event recorded before the call has been written. */
  flush(): Promise<void> {
    if (this.#written >= this.#queued) return Promise.resolve();
    const written = this.#queued;
    const done = new Promise<void>((resolve) => this.#waiters.push({ written, resolve }));
    this.#writeNow();
    return done;
  }

  /** Refuses further events, writes what is queued, and stops. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = null;
  }

  /** Splits and protects; if the gate itself fails, keeps the envelope and stores no content. */
  #protect(event: AuditEvent): EventRecord {
    try {
      return toEventRecord(event, this.#privacy);
    } catch (error) {
      // Unprotected content must never reach storage; losing the whole event would be worse
      // than losing its content, and the failure is reported.
      this.#report(error);
      const { envelope } = splitContent(event);
      return { envelope: { ...envelope, privacy: failedPrivacy() }, content: null };
    }
  }

  /**
   * Protects the head batch in place, yielding to the event loop every few milliseconds.
   * TODO(#5): move detection onto a worker pool (node:worker_threads, availableParallelism()
   * - 1 workers, at least one); on the main thread it caps events per second. Measured by
   * bench/privacy-profile.ts (load 12.6 on 2 cores): the gate takes 2.4 ms of one core per
   * event of 1 KB, of which detection is over 90% (names 0.56 ms/KB, addresses 0.45, phones
   * 0.37, secrets 0.18, every other detector under 0.11) and the content walk 0.2 ms. The gate
   * is a pure function of (event, settings), so a worker can take `toEventRecord` whole; its
   * findings cache and the lexicon (0.5 s to build) then live in each worker, which should start
   * with the gateway, not on its first batch.
   */
  async #protectHead(): Promise<EventRecord[]> {
    // Start on a later turn: a full queue starts a write from inside `record`, which runs on
    // the path of the call that filled it.
    await new Promise((resolve) => setImmediate(resolve));
    const count = Math.min(this.#batchSize, this.#queue.length);
    let slice = performance.now();
    for (let index = 0; index < count; index += 1) {
      const item = this.#queue[index] as EventRecord | AuditEvent;
      if (isRecord(item)) continue;
      this.#queue[index] = this.#protect(item);
      if (performance.now() - slice > PROTECT_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
    return this.#queue.slice(0, count) as EventRecord[];
  }

  /** Starts writing unless a write is running (it will pick the queue up) or a retry waits. */
  #writeNow(): void {
    if (this.#writing || this.#retryTimer) return;
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        // Only this loop removes from the queue, and only after a write succeeds, so the
        // head slice is still the same events when the append returns.
        let batch: EventRecord[];
        try {
          batch = await this.#protectHead();
          await this.#store.append(batch);
        } catch (error) {
          this.#scheduleRetry(error);
          return;
        }
        this.#queue.splice(0, batch.length);
        this.#written += batch.length;
        this.#failures = 0;
        this.#wakeWaiters();
      }
    } finally {
      this.#writing = false;
    }
  }

  #scheduleRetry(error: unknown): void {
    this.#failures += 1;
    this.#report(error);
    const delay = Math.min(this.#maxRetryDelayMs, this.#retryDelayMs * 2 ** (this.#failures - 1));
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#drain();
    }, delay);
  }

  #wakeWaiters(): void {
    const waiting: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.written <= this.#written) waiter.resolve();
      else waiting.push(waiter);
    }
    this.#waiters = waiting;
  }

  #report(error: unknown): void {
    try {
      this.#onError(error);
    } catch {
      // A failing error callback must not stop the writer.
    }
  }
}
