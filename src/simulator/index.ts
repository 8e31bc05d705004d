import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { defaultRecordingsDirectory, loadRecordings } from './recordings.js';
import type { ProviderFamily, RecordingLibrary, SimulatedEndpoint } from './recordings.js';
import { replay, sendJson, setRequestId } from './replay.js';
import type { Pace } from './replay.js';
import { chooseRecording } from './select.js';

export type SimulatorOptions = {
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** 0, the default, takes any free port. */
  port?: number;
  /** Wait before the first byte of every answer; default 120. */
  firstChunkDelayMs?: number;
  /** Wait between streamed events; default 8. */
  chunkDelayMs?: number;
  /** Defaults to the package's test/fixtures/recorded. */
  recordingsDir?: string;
};

export type Simulator = {
  /** Origin of the server, e.g. `http://127.0.0.1:43817`, without a trailing slash. */
  url: string;
  close(): Promise<void>;
};

type Context = { library: RecordingLibrary; pace: Pace };

const endpointsByPath = new Map<string, SimulatedEndpoint>([
  ['/v1/chat/completions', 'chat.completions'],
  ['/v1/messages', 'messages'],
]);

const familyOf: Record<SimulatedEndpoint, ProviderFamily> = {
  'chat.completions': 'openai',
  messages: 'anthropic',
};

/** Starts the provider simulator, which answers like OpenAI and Anthropic from recordings. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const library = await loadRecordings(options.recordingsDir ?? defaultRecordingsDirectory());
  const pace = {
    firstChunkDelayMs: delayOption('firstChunkDelayMs', options.firstChunkDelayMs, 120),
    chunkDelayMs: delayOption('chunkDelayMs', options.chunkDelayMs, 8),
  };
  const server = createServer((request, response) => {
    void serve(request, response, { library, pace });
  });

  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  return { url: urlOf(server), close: () => closeServer(server) };
}

function delayOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (Number.isFinite(value) && value >= 0) return value;
  throw new RangeError(`${name} must be a number of milliseconds >= 0, got ${value}`);
}

async function serve(request: IncomingMessage, response: ServerResponse, context: Context) {
  try {
    await answer(request, response, context);
  } catch {
    // The simulator does not log; a broken request ends with a 500 or a closed socket.
    if (response.headersSent) response.destroy();
    else sendJson(response, 500, openaiError('simulator failed to answer', 'server_error'));
  }
}

async function answer(request: IncomingMessage, response: ServerResponse, context: Context) {
  const path = (request.url ?? '').split('?')[0] ?? '';
  const endpoint = request.method === 'POST' ? endpointsByPath.get(path) : undefined;
  const family = endpoint ? familyOf[endpoint] : 'openai';
  setRequestId(response, family);
  if (!endpoint) {
    const message =
      'unknown path: the simulator answers POST /v1/chat/completions and /v1/messages';
    return sendJson(response, 404, openaiError(message, 'invalid_request_error'));
  }

  const client = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) client.abort();
  });
  const body = parseJson(await readBody(request));
  if (body === undefined) {
    return sendJson(response, 400, providerError(family, 'request body is not valid json'));
  }
  const header = request.headers['x-auditgate-simulate'];
  const recordingHeader = Array.isArray(header) ? header[0] : header;
  const choice = chooseRecording({ endpoint, recordingHeader, body }, context.library);
  if (choice.outcome === 'refuse') {
    return sendJson(response, choice.status, providerError(family, choice.message));
  }

  await replay(choice.recording, response, context.pace, client.signal);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// Each provider's documented error body: OpenAI `{error: {...}}`, Anthropic `{type: 'error', ...}`.
function providerError(family: ProviderFamily, message: string): string {
  if (family === 'openai') return openaiError(message, 'invalid_request_error');
  return JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message } });
}

function openaiError(message: string, type: string): string {
  return JSON.stringify({ error: { message, type, param: null, code: null } });
}

function urlOf(server: Server): string {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive sockets (SDK clients hold them) and open streams would keep close waiting.
    server.closeAllConnections();
  });
}
