import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { shapeEmbeddings } from './embeddings.js';
import { defaultRecordingsDirectory, loadRecordings } from './recordings.js';
import type { ProviderFamily, RecordingLibrary, SimulatedEndpoint } from './recordings.js';
import { framingFor, replay, sendJson, setRequestId } from './replay.js';
import type { Pace, StreamFraming } from './replay.js';
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

/** What a request path asks for: an endpoint, and for Gemini whether to stream and how. */
type Route = {
  endpoint: SimulatedEndpoint;
  streamByPath: boolean | null;
  framing: StreamFraming;
};

const endpointsByPath = new Map<string, SimulatedEndpoint>([
  ['/v1/chat/completions', 'chat.completions'],
  ['/v1/responses', 'responses'],
  ['/v1/embeddings', 'embeddings'],
  ['/v1/messages', 'messages'],
]);

// Gemini's model methods: https://ai.google.dev/api/generate-content
const geminiMethodPath = /^\/v1(?:beta)?\/models\/[^/:]+:(generateContent|streamGenerateContent)$/;

const unknownPathMessage =
  'unknown path: the simulator answers POST /v1/chat/completions, /v1/responses, ' +
  '/v1/embeddings, /v1/messages and /v1beta/models/{model}:generateContent or ' +
  ':streamGenerateContent';

/** Starts the provider simulator: it answers as OpenAI, Anthropic and Gemini, from recordings. */
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
  return { url: originOf(server), close: () => closeServer(server) };
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
    else {
      const family = familyOfPath(urlOf(request).pathname);
      sendJson(response, 500, providerError(family, 500, 'simulator failed to answer'));
    }
  }
}

async function answer(request: IncomingMessage, response: ServerResponse, context: Context) {
  const url = urlOf(request);
  const route = request.method === 'POST' ? routeOf(url) : undefined;
  const family = familyOfPath(url.pathname);
  setRequestId(response, family);
  if (!route) return sendJson(response, 404, providerError(family, 404, unknownPathMessage));

  const client = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) client.abort();
  });
  const body = parseJson(await readBody(request));
  if (body === undefined) {
    return sendJson(response, 400, providerError(family, 400, 'request body is not valid json'));
  }
  const header = request.headers['x-auditgate-simulate'];
  const recordingHeader = Array.isArray(header) ? header[0] : header;
  const { endpoint, streamByPath, framing } = route;
  const choice = chooseRecording(
    { endpoint, streamByPath, recordingHeader, body },
    context.library,
  );
  if (choice.outcome === 'refuse') {
    return sendJson(response, choice.status, providerError(family, choice.status, choice.message));
  }

  const recording = shapeEmbeddings(choice.recording, body);
  await replay(recording, response, { pace: context.pace, framing, signal: client.signal });
}

function routeOf(url: URL): Route | undefined {
  const endpoint = endpointsByPath.get(url.pathname);
  if (endpoint) {
    const framing = framingFor(endpoint, null);
    return { endpoint, streamByPath: null, framing };
  }

  const method = geminiMethodPath.exec(url.pathname)?.[1];
  if (!method) return undefined;
  const framing = framingFor('generate_content', url.searchParams.get('alt'));
  const streamByPath = method === 'streamGenerateContent';
  return { endpoint: 'generate_content', streamByPath, framing };
}

// The family whose error shape answers a path, also one the simulator does not serve.
function familyOfPath(path: string): ProviderFamily {
  if (path === '/v1/messages') return 'anthropic';
  if (path.startsWith('/v1beta/') || geminiMethodPath.test(path)) return 'gemini';
  return 'openai';
}

// Prefixed rather than resolved against a base, so that a path such as `//x` stays a path;
// a target that is no path at all (`*`, an absolute URL) reads as `/`.
function urlOf(request: IncomingMessage): URL {
  const url = `http://simulator${request.url ?? '/'}`;
  return new URL(URL.canParse(url) ? url : 'http://simulator/');
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

// Each provider's documented error body: OpenAI `{error: {...}}`, Anthropic
// `{type: 'error', error: {...}}`, Google `{error: {code, message, status}}`.
function providerError(family: ProviderFamily, status: number, message: string): string {
  switch (family) {
    case 'openai':
      return openaiError(message, status >= 500 ? 'server_error' : 'invalid_request_error');
    case 'anthropic': {
      const type = status >= 500 ? 'api_error' : 'invalid_request_error';
      return JSON.stringify({ type: 'error', error: { type, message } });
    }
    case 'gemini':
      return JSON.stringify({ error: { code: status, message, status: googleStatus(status) } });
  }
}

function openaiError(message: string, type: string): string {
  return JSON.stringify({ error: { message, type, param: null, code: null } });
}

// The google.rpc.Code names of the statuses the simulator answers itself.
function googleStatus(status: number): string {
  if (status === 404) return 'NOT_FOUND';
  if (status >= 500) return 'INTERNAL';
  return 'INVALID_ARGUMENT';
}

function originOf(server: Server): string {
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
