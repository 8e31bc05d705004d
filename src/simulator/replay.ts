import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

import type {
  LoadedRecording,
  ProviderFamily,
  RecordedEvent,
  SimulatedEndpoint,
} from './recordings.js';

/** How fast a replay goes: the wait before the first byte of an answer, then between events. */
export type Pace = { firstChunkDelayMs: number; chunkDelayMs: number };

/**
 * How a stream goes on the wire (test/fixtures/recorded/README.md):
 * - `sse-data`: `data: <json>\n\n` per event, then `data: [DONE]\n\n` (OpenAI chat);
 * - `sse-typed`: `event: <type>\ndata: <json>\n\n` per event (OpenAI Responses, Anthropic);
 * - `sse-data-crlf`: `data: <json>\r\n\r\n` per event (Gemini `?alt=sse`);
 * - `json-array`: one JSON array written element by element (Gemini without `alt=sse`);
 * - `aws-eventstream`: one AWS event-stream binary frame per event (Bedrock ConverseStream).
 */
export type StreamFraming =
  'sse-data' | 'sse-typed' | 'sse-data-crlf' | 'json-array' | 'aws-eventstream';

const eventStreamCodec = new EventStreamCodec(toUtf8, fromUtf8);

type StreamedRecording = Extract<LoadedRecording, { stream: true }>;

/** The framing an endpoint streams in; Gemini's depends on the `alt` query parameter. */
export function framingFor(endpoint: SimulatedEndpoint, alt: string | null): StreamFraming {
  switch (endpoint) {
    case 'responses':
    case 'messages':
      return 'sse-typed';
    case 'generate_content':
      return alt === 'sse' ? 'sse-data-crlf' : 'json-array';
    case 'converse':
      return 'aws-eventstream';
    default:
      return 'sse-data';
  }
}

/** The bytes each write of a streamed recording takes on the wire, in the framing given. */
export function frameEvents(
  recording: StreamedRecording,
  framing: StreamFraming,
): (string | Uint8Array)[] {
  const events = recording.events;
  switch (framing) {
    case 'sse-data':
      return [...events.map((event) => `data: ${event.json}\n\n`), 'data: [DONE]\n\n'];
    case 'sse-typed':
      return events.map(typedEvent);
    case 'sse-data-crlf':
      return events.map((event) => `data: ${event.json}\r\n\r\n`);
    case 'json-array':
      // Google writes `[`, the elements separated by `,\r\n`, and `]` once the stream ends.
      return [...events.map((event, index) => `${index === 0 ? '[' : ',\r\n'}${event.json}`), ']'];
    case 'aws-eventstream':
      return events.map(eventStreamFrame);
  }
}

/**
 * A recorded ConverseStream line, `{"<eventType>": {...}}`, as the frame Bedrock sends: the
 * event type in the `:event-type` header, the inner object as the JSON body.
 */
export function eventStreamFrame(event: RecordedEvent): Uint8Array {
  const line = JSON.parse(event.json) as Record<string, unknown>;
  const [eventType, payload] = Object.entries(line)[0] ?? ['unknown', {}];
  return eventStreamCodec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

const STREAM_CONTENT_TYPES: Record<StreamFraming, string> = {
  'sse-data': 'text/event-stream',
  'sse-typed': 'text/event-stream',
  'sse-data-crlf': 'text/event-stream',
  'json-array': 'application/json',
  'aws-eventstream': 'application/vnd.amazon.eventstream',
};

function typedEvent(event: RecordedEvent): string {
  if (event.type === undefined) return `data: ${event.json}\n\n`;
  return `event: ${event.type}\ndata: ${event.json}\n\n`;
}

/**
 * Sets the request id header that the family's SDKs read (`x-request-id`, `request-id`);
 * Gemini sends none that its SDK reads.
 */
export function setRequestId(response: ServerResponse, family: ProviderFamily): void {
  if (family === 'bedrock') {
    response.setHeader('x-amzn-requestid', randomUUID());
  } else if (family === 'openai') {
    response.setHeader('x-request-id', `req_${randomBytes(16).toString('hex')}`);
  } else if (family === 'anthropic') {
    response.setHeader('request-id', `req_${randomBytes(18).toString('base64url')}`);
  }
}

/** Answers a whole JSON body with its status (and any headers its error shape needs). */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}

/** Replays a recording at its pace; stops quietly once `signal` says the client has gone. */
export async function replay(
  recording: LoadedRecording,
  response: ServerResponse,
  options: { pace: Pace; framing: StreamFraming; signal: AbortSignal },
): Promise<void> {
  const { pace, framing, signal } = options;
  if (!(await pause(pace.firstChunkDelayMs, signal))) return;
  if (!recording.stream) {
    return sendJson(response, recording.status, recording.body, errorHeaders(recording));
  }

  response.writeHead(recording.status, {
    'content-type': STREAM_CONTENT_TYPES[framing],
    'cache-control': 'no-cache',
  });
  for (const [index, frame] of frameEvents(recording, framing).entries()) {
    if (index > 0 && !(await pause(pace.chunkDelayMs, signal))) return;
    // One write per event, so that a client sees the events arrive one by one.
    if (!response.write(frame) && !(await drained(response, signal))) return;
  }
  response.end();
}

/** Bedrock names an error's exception in a header; the other families in the body. */
export function errorHeaders(recording: LoadedRecording): Record<string, string> {
  if (recording.family !== 'bedrock' || recording.status < 400) return {};
  return { 'x-amzn-errortype': bedrockException(recording.status) };
}

/** The Bedrock Runtime exception for the statuses the simulator answers with. */
export function bedrockException(status: number): string {
  if (status === 429) return 'ThrottlingException';
  if (status === 404) return 'ResourceNotFoundException';
  if (status >= 500) return 'InternalServerException';
  return 'ValidationException';
}

async function pause(milliseconds: number, signal: AbortSignal): Promise<boolean> {
  if (milliseconds > 0) await sleep(milliseconds, undefined, { signal }).catch(() => undefined);
  return !signal.aborted;
}

async function drained(response: ServerResponse, signal: AbortSignal): Promise<boolean> {
  await once(response, 'drain', { signal }).catch(() => undefined);
  return !signal.aborted;
}
