import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { shapeEmbeddings } from './embeddings.js';
import { defaultRecordingsDirectory, loadRecordings } from './recordings.js';
import type { ProviderFamily, RecordingLibrary, SimulatedEndpoint } from './recordings.js';
import { bedrockException, framingFor, replay, sendJson, setRequestId } from './replay.js';
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

/** What a request path asks for: an endpoint, and for Gemini and Bedrock whether to stream. */
type Route = {
  endpoint: SimulatedEndpoint;
  streamByPath: boolean | null;
  framing: StreamFraming;
  azure?: boolean;
};

const endpointsByPath = new Map<string, SimulatedEndpoint>([
  ['/v1/chat/completions', 'chat.completions'],
  ['/v1/responses', 'responses'],
  ['/v1/embeddings', 'embeddings'],
  ['/v1/messages', 'messages'],
]);

// Gemini's model methods: https://ai.google.dev/api/generate-content
const geminiMethodPath = /^\/v1(?:beta)?\/models\/[^/:]+:(generateContent|streamGenerateContent)$/;

// Bedrock Runtime: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
const conversePath = /^\/model\/[^/]+\/(converse|converse-stream)$/;

// Azure OpenAI's deployment paths, its deployment-less Responses path, and its v1 paths.
const azurePath =
  /^\/openai(?:\/deployments\/[^/]+|\/v1)?\/(chat\/completions|responses|embeddings)$/;

const unknownPathMessage =
  'unknown path: the simulator answers POST /v1/chat/completions, /v1/responses, ' +
  '/v1/embeddings, /v1/messages, /v1beta/models/{model}:generateContent or ' +
  ':streamGenerateContent, /model/{modelId}/converse or /converse-stream, and ' +
  "azure openai's /openai/deployments/{deployment}/... paths";

/**
 * Starts the provider simulator: it answers as OpenAI (and Azure OpenAI), Anthropic, Gemini
 * and Bedrock, from recordings.
 */
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
      const error = providerError(family, 500, 'simulator failed to answer');
      sendJson(response, 500, error, errorHeadersOf(family, 500));
    }
  }
}

async function answer(request: IncomingMessage, response: ServerResponse, context: Context) {
  const url = urlOf(request);
  const route = request.method === 'POST' ? routeOf(url) : undefined;
  const family = familyOfPath(url.pathname);
  setRequestId(response, family);
  if (!route) {
    const error = providerError(family, 404, unknownPathMessage);
    return sendJson(response, 404, error, errorHeadersOf(family, 404));
  }

  const client = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) client.abort();
  });
  const body = parseJson(await readBody(request));
  if (body === undefined) {
    const error = providerError(family, 400, 'request body is not valid json');
    return sendJson(response, 400, error, errorHeadersOf(family, 400));
  }
  const header = request.headers['x-auditgate-simulate'];
  const recordingHeader = Array.isArray(header) ? header[0] : header;
  const { endpoint, streamByPath, framing, azure } = route;
  const choice = chooseRecording(
    { endpoint, streamByPath, recordingHeader, body, azure },
    context.library,
  );
  if (choice.outcome === 'refuse') {
    const error = providerError(family, choice.status, choice.message);
    return sendJson(response, choice.status, error, errorHeadersOf(family, choice.status));
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

  const azure = azurePath.exec(url.pathname)?.[1];
  if (azure) {
    const azureEndpoint = endpointsByPath.get(`/v1/${azure}`) ?? 'chat.completions';
    return {
      endpoint: azureEndpoint,
      streamByPath: null,
      framing: framingFor(azureEndpoint, null),
      azure: true,
    };
  }

  const converse = conversePath.exec(url.pathname)?.[1];
  if (converse) {
    const streamByPath = converse === 'converse-stream';
    return { endpoint: 'converse', streamByPath, framing: framingFor('converse', null) };
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
  if (path.startsWith('/model/')) return 'bedrock';
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
    case 'bedrock':
      return JSON.stringify({ message });
  }
}

function errorHeadersOf(family: ProviderFamily, status: number): Record<string, string> {
  return family === 'bedrock' ? { 'x-amzn-errortype': bedrockException(status) } : {};
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
