import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

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
 * - `json-array`: one JSON array written element by element (Gemini without `alt=sse`).
 */
export type StreamFraming = 'sse-data' | 'sse-typed' | 'sse-data-crlf' | 'json-array';

type StreamedRecording = Extract<LoadedRecording, { stream: true }>;

/** The framing an endpoint streams in; Gemini's depends on the `alt` query parameter. */
export function framingFor(endpoint: SimulatedEndpoint, alt: string | null): StreamFraming {
  switch (endpoint) {
    case 'responses':
    case 'messages':
      return 'sse-typed';
    case 'generate_content':
      return alt === 'sse' ? 'sse-data-crlf' : 'json-array';
    default:
      return 'sse-data';
  }
}

/** The bytes each write of a streamed recording takes on the wire, in the framing given. */
export function frameEvents(recording: StreamedRecording, framing: StreamFraming): string[] {
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
  }
}

function typedEvent(event: RecordedEvent): string {
  if (event.type === undefined) return `data: ${event.json}\n\n`;
  return `event: ${event.type}\ndata: ${event.json}\n\n`;
}

/**
 * Sets the request id header that the family's SDKs read (`x-request-id`, `request-id`);
 * Gemini sends none that its SDK reads.
 */
export function setRequestId(response: ServerResponse, family: ProviderFamily): void {
  if (family === 'openai') {
    response.setHeader('x-request-id', `req_${randomBytes(16).toString('hex')}`);
  } else if (family === 'anthropic') {
    response.setHeader('request-id', `req_${randomBytes(18).toString('base64url')}`);
  }
}

/** Answers a whole JSON body with its status. */
export function sendJson(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
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
  if (!recording.stream) return sendJson(response, recording.status, recording.body);

  const contentType = framing === 'json-array' ? 'application/json' : 'text/event-stream';
  response.writeHead(recording.status, {
    'content-type': contentType,
    'cache-control': 'no-cache',
  });
  for (const [index, frame] of frameEvents(recording, framing).entries()) {
    if (index > 0 && !(await pause(pace.chunkDelayMs, signal))) return;
    // One write per event, so that a client sees the events arrive one by one.
    if (!response.write(frame) && !(await drained(response, signal))) return;
  }
  response.end();
}

async function pause(milliseconds: number, signal: AbortSignal): Promise<boolean> {
  if (milliseconds > 0) await sleep(milliseconds, undefined, { signal }).catch(() => undefined);
  return !signal.aborted;
}

async function drained(response: ServerResponse, signal: AbortSignal): Promise<boolean> {
  await once(response, 'drain', { signal }).catch(() => undefined);
  return !signal.aborted;
}
