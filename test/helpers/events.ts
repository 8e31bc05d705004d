import { v7 as uuidv7 } from 'uuid';
import { newEventId, newSpanId, newTraceId } from '../../src/event/ids.js';
import type {
  Attribution,
  AuditEvent,
  Identity,
  Outcome,
  RequestRecord,
  ResponseRecord,
  Timing,
  TraceContext,
  Usage,
} from '../../src/event/types.js';
import { SCHEMA_VERSION } from '../../src/event/types.js';

type Sections = 'trace' | 'identity' | 'request' | 'response' | 'usage' | 'attribution';

/**
 * What a test changes in the default event. Sections merge one level deep, so
 * `{ identity: { userId: 'u1' } }` keeps the other identity fields; `null` empties a section
 * that may be empty.
 */
export type EventOverrides = Partial<Omit<AuditEvent, Sections | 'timing' | 'outcome'>> & {
  trace?: Partial<TraceContext>;
  identity?: Partial<Identity>;
  request?: Partial<RequestRecord> | null;
  response?: Partial<ResponseRecord> | null;
  usage?: Partial<Usage> | null;
  attribution?: Partial<Attribution>;
  timing?: Partial<Timing>;
  outcome?: Partial<Outcome>;
};

/** Text that appears only in the default event's content, never in its envelope. */
export const PROMPT_TEXT = 'What is the capital of France? My card is 4111 1111 1111 1111.';
export const SYSTEM_TEXT = 'You are a terse geography assistant.';
export const OUTPUT_TEXT = 'Paris.';

/** A complete, valid `llm.call` event (OpenAI chat), with `overrides` merged in. */
export function makeEvent(overrides: EventOverrides = {}): AuditEvent {
  const time = overrides.time ?? new Date().toISOString();
  // An id made from the event's own time keeps "ids sort by time" true for events in the past.
  const id = overrides.id ?? (overrides.time ? uuidv7({ msecs: Date.parse(time) }) : newEventId());
  const base = defaultEvent(id, time);
  return {
    ...base,
    ...overrides,
    id,
    time,
    trace: { ...base.trace, ...overrides.trace },
    identity: { ...base.identity, ...overrides.identity },
    request: mergeSection(base.request, overrides.request),
    response: mergeSection(base.response, overrides.response),
    usage: mergeSection(base.usage, overrides.usage),
    attribution: { ...base.attribution, ...overrides.attribution },
    timing: { ...base.timing, ...overrides.timing },
    outcome: { ...base.outcome, ...overrides.outcome },
  };
}

function mergeSection<Section extends object>(
  base: Section | null,
  override: Partial<Section> | null | undefined,
): Section | null {
  if (override === null) return null;
  if (override === undefined || base === null) return base;
  return { ...base, ...override };
}

function defaultEvent(id: string, time: string): AuditEvent {
  return {
    id,
    kind: 'llm.call',
    time,
    schemaVersion: SCHEMA_VERSION,
    trace: { traceId: newTraceId(), spanId: newSpanId(), parentSpanId: null },
    identity: {
      userId: 'user-ada',
      sessionId: 'session-1',
      agentId: null,
      appId: 'app-atlas',
      teamId: 'team-geo',
      actorType: 'human',
      authMethod: 'provider_key',
      verified: [],
      asserted: null,
      keyId: null,
      keyFingerprint: 'sha256:3f2a9c',
      clientAddress: '127.0.0.1',
      userAgent: 'OpenAI/JS 6.0.0',
    },
    request: defaultRequest(),
    response: defaultResponse(),
    usage: {
      inputTokens: 21,
      outputTokens: 2,
      cacheReadTokens: 0,
      cacheWriteTokens: null,
      reasoningTokens: 0,
      source: 'provider',
      raw: { prompt_tokens: 21, completion_tokens: 2, total_tokens: 23 },
    },
    cost: null,
    attribution: {
      teamId: 'team-geo',
      businessUnit: null,
      project: 'atlas',
      appId: 'app-atlas',
      agentId: null,
      userId: 'user-ada',
      tags: { env: 'test' },
    },
    policy: [],
    privacy: null,
    attempts: [],
    timing: { receivedAt: time, ttftMs: 120, latencyMs: 340, upstreamMs: 330, overheadMs: 4 },
    outcome: { status: 'ok', error: null },
    ledger: null,
  };
}

function defaultRequest(): RequestRecord {
  return {
    provider: 'openai',
    providerType: 'openai',
    endpoint: 'chat.completions',
    method: 'POST',
    path: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    parameters: { temperature: 0.2, max_tokens: 64 },
    stream: false,
    system: SYSTEM_TEXT,
    messages: [{ role: 'user', parts: [{ type: 'text', content: PROMPT_TEXT }] }],
    tools: [
      {
        type: 'function',
        name: 'lookup_city',
        description: 'Finds a city by name',
        parameters: { type: 'object', properties: { name: { type: 'string' } } },
      },
    ],
    retrieval: null,
    previousResponseId: null,
    deployment: null,
    inputCount: null,
    bodySha256: 'a'.repeat(64),
    bodyBytes: 412,
    truncated: false,
    rewrites: [],
  };
}

function defaultResponse(): ResponseRecord {
  return {
    id: 'chatcmpl-test',
    model: 'gpt-4o-mini-2024-07-18',
    systemFingerprint: 'fp_test',
    output: [
      { role: 'assistant', parts: [{ type: 'text', content: OUTPUT_TEXT }], finishReason: 'stop' },
    ],
    toolCalls: null,
    finishReasons: ['stop'],
    finishReason: 'stop',
    refusal: null,
    httpStatus: 200,
    error: null,
    bodySha256: 'b'.repeat(64),
    bodyBytes: 590,
    truncated: false,
    simulated: false,
    embeddings: null,
  };
}

/** PROMPT_TEXT as the privacy gate stores it by default (written by hand). */
export const STORED_PROMPT_TEXT = 'What is the capital of France? My card is [CREDIT_CARD].';

/**
 * The default event as the store holds it after the default privacy gate: the card in the
 * prompt redacted and the gate's record filled. Other content has nothing to mask.
 */
export function asStored(event: AuditEvent): AuditEvent {
  const request = event.request && {
    ...event.request,
    messages:
      event.request.messages?.map((message) => ({
        ...message,
        parts: message.parts.map((part) =>
          part.type === 'text' && part.content === PROMPT_TEXT
            ? { ...part, content: STORED_PROMPT_TEXT }
            : part,
        ),
      })) ?? null,
  };
  return {
    ...event,
    request,
    privacy: {
      detectorsVersion: '1',
      findings: [{ type: 'credit_card', count: 1, strategy: 'redact' }],
      failed: false,
    },
  };
}
