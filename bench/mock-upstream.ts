/**
 * A fast stand-in for OpenAI's chat completions endpoint, run as its own process. It answers
 * the recorded completion at once, or for `"stream": true` the recorded chunks as SSE: the
 * first event alone, then the rest in a few writes on the next turn, with no delays, so time
 * to first byte and total time differ only by transfer and relay work.
 */
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveCommands } from './child.js';

const RECORDINGS = new URL('../test/fixtures/recorded/openai-chat/', import.meta.url);
const STREAM_WRITES = 3;

const completion = readFileSync(new URL('openai-text.json', RECORDINGS));
const [firstEvent, ...laterWrites] = framedStream();

/** The recorded chunks as `data:` events ending in `[DONE]`: the first event, then a few writes. */
function framedStream(): Buffer[] {
  const text = readFileSync(new URL('openai-text.chunks.txt', RECORDINGS), 'utf8');
  const events = text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => `data: ${line}\n\n`);
  events.push('data: [DONE]\n\n');

  const [first, ...rest] = events;
  const perWrite = Math.ceil(rest.length / STREAM_WRITES);
  const writes: Buffer[] = [Buffer.from(first ?? '')];
  for (let start = 0; start < rest.length; start += perWrite) {
    writes.push(Buffer.from(rest.slice(start, start + perWrite).join('')));
  }
  return writes;
}

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }

  const stream = asksForStream(Buffer.concat(chunks).toString('utf8'));
  if (stream === null) {
    response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad json"}');
  } else if (stream) {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.write(firstEvent);
    setImmediate(() => {
      for (const part of laterWrites) response.write(part);
      response.end();
    });
  } else {
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': completion.length,
    });
    response.end(completion);
  }
}

/** Whether the body asks for a stream; null when it is not a JSON object. */
function asksForStream(body: string): boolean | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return null;
    return 'stream' in parsed && parsed.stream === true;
  } catch {
    return null;
  }
}

const server = createServer((request, response) => {
  answer(request, response).catch(() => response.destroy());
});
// Longer than any pause between phases, so the load generator keeps its connections.
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1');
await once(server, 'listening');

const { port } = server.address() as AddressInfo;
serveCommands(
  { ready: true, url: `http://127.0.0.1:${port}` },
  {
    close: async () => {
      server.closeAllConnections();
      server.close();
    },
  },
);
