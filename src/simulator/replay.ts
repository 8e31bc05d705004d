import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import type { LoadedRecording, ProviderFamily, RecordedEvent } from './recordings.js';

/** How fast a replay goes: the wait before the first byte of an answer, then between events. */
export type Pace = { firstChunkDelayMs: number; chunkDelayMs: number };

type StreamedRecording = Extract<LoadedRecording, { stream: true }>;

/** The bytes each streamed event takes on the wire, in its provider family's SSE framing. */
export function frameEvents(recording: StreamedRecording): string[] {
  const frames = recording.events.map((event) => frameEvent(recording.family, event));
  // OpenAI chat (and DeepSeek, Mistral) end a stream with a literal [DONE] data line.
  if (recording.family === 'openai') frames.push('data: [DONE]\n\n');
  return frames;
}

function frameEvent(family: ProviderFamily, event: RecordedEvent): string {
  if (family === 'openai' || event.type === undefined) return `data: ${event.json}\n\n`;
  return `event: ${event.type}\ndata: ${event.json}\n\n`;
}

/** Sets the request id header that the family's SDKs read (`x-request-id`, `request-id`). */
export function setRequestId(response: ServerResponse, family: ProviderFamily): void {
  if (family === 'openai')
    response.setHeader('x-request-id', `req_${randomBytes(16).toString('hex')}`);
  else response.setHeader('request-id', `req_${randomBytes(18).toString('base64url')}`);
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
  pace: Pace,
  signal: AbortSignal,
): Promise<void> {
  if (!(await pause(pace.firstChunkDelayMs, signal))) return;
  if (!recording.stream) return sendJson(response, recording.status, recording.body);

  response.writeHead(recording.status, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
  });
  for (const [index, frame] of frameEvents(recording).entries()) {
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
