import type { AuditEvent, Endpoint, EventKind, RequestRecord } from '../event/types.js';
import { SCHEMA_VERSION } from '../event/types.js';
import { emptyRequest, missingUsage } from '../event/records.js';
import type { JournalEntry, Store } from './types.js';
import { EventWriter, toEventRecord } from './writer.js';

export const INTERRUPTED_ERROR = 'the gateway stopped before the call finished';

const RECOVERY_BATCH_SIZE = 500;

/** Path endings of the providers' inference APIs, and the endpoint each names. */
const INFERENCE_ENDINGS: ReadonlyArray<readonly [string, Endpoint]> = [
  ['/chat/completions', 'chat.completions'],
  ['/responses', 'responses'],
  ['/embeddings', 'embeddings'],
  ['/messages', 'messages'],
  [':generateContent', 'generate_content'],
  [':streamGenerateContent', 'generate_content'],
  ['/converse', 'converse'],
  ['/converse-stream', 'converse'],
];

/** Paths whose API always streams, whatever the body said. */
const STREAMING_ENDINGS = [':streamGenerateContent', '/converse-stream'];

/**
 * Turns each journal row that never got its event into an `interrupted` event and stores it
 * (which clears the row). Run at start-up, before serving: while the gateway runs, calls in
 * flight also have journal rows without events. Returns how many events were written.
 */
export async function recoverInterrupted(
  store: Store,
  sink: Store | EventWriter = store,
): Promise<number> {
  const orphans = await store.orphanedJournal();
  const events = orphans.map(interruptedEvent);

  if (sink instanceof EventWriter) {
    for (const event of events) sink.record(event);
    await sink.flush();
  } else {
    for (let start = 0; start < events.length; start += RECOVERY_BATCH_SIZE) {
      await sink.append(
        events.slice(start, start + RECOVERY_BATCH_SIZE).map((event) => toEventRecord(event)),
      );
    }
  }
  return events.length;
}

/** The event a journal row stands for when its call never finished: what the row knows. */
export function interruptedEvent(entry: JournalEntry): AuditEvent {
  const pathname = entry.path.split('?', 1)[0] ?? entry.path;
  const endpoint = endpointFor(pathname);
  const kind: EventKind = endpoint === 'other' ? 'http.call' : 'llm.call';
  return {
    id: entry.eventId,
    kind,
    time: entry.time,
    schemaVersion: SCHEMA_VERSION,
    trace: { traceId: entry.traceId, spanId: entry.spanId, parentSpanId: entry.parentSpanId },
    identity: {
      userId: null,
      sessionId: null,
      agentId: null,
      appId: null,
      teamId: null,
      actorType: null,
      // The journal does not record how the caller authenticated.
      authMethod: 'none',
      verified: [],
      asserted: null,
      keyId: null,
      keyFingerprint: entry.keyFingerprint,
      clientAddress: entry.clientAddress,
      userAgent: null,
    },
    request: interruptedRequest(entry, endpoint, pathname),
    response: null,
    usage: kind === 'llm.call' ? missingUsage() : null,
    cost: null,
    attribution: emptyAttribution(),
    policy: [],
    privacy: null,
    attempts: [],
    timing: {
      receivedAt: entry.time,
      ttftMs: null,
      latencyMs: null,
      upstreamMs: null,
      overheadMs: null,
    },
    outcome: { status: 'interrupted', error: INTERRUPTED_ERROR },
    ledger: null,
  };
}

function interruptedRequest(
  entry: JournalEntry,
  endpoint: Endpoint,
  pathname: string,
): RequestRecord {
  return {
    ...emptyRequest(entry.method, entry.path),
    provider: entry.provider ?? '',
    endpoint,
    model: entry.model,
    stream: STREAMING_ENDINGS.some((ending) => pathname.endsWith(ending)),
  };
}

function emptyAttribution(): AuditEvent['attribution'] {
  return {
    teamId: null,
    businessUnit: null,
    project: null,
    appId: null,
    agentId: null,
    userId: null,
    tags: {},
  };
}

function endpointFor(pathname: string): Endpoint {
  const match = INFERENCE_ENDINGS.find(([ending]) => pathname.endsWith(ending));
  return match ? match[1] : 'other';
}
