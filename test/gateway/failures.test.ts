import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';

import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { EVENT_ID, outcomeOf } from '../helpers/recorded.js';
import {
  providersAt,
  startUpstream,
  unusedPort,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

const CHAT_PATH = '/v1/chat/completions';
const MESSAGES_PATH = '/v1/messages';
const MAX_BODY_BYTES = 1000;

const chatBody = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hello' }],
});

type Answer = { status: number; eventId: string | null; contentType: string | null; body: unknown };

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return answerOf(
    response.status,
    response.headers.get.bind(response.headers),
    await response.text(),
  );
}

function answerOf(status: number, header: (name: string) => string | null, text: string): Answer {
  return {
    status,
    eventId: header('x-auditgate-event-id'),
    contentType: header('content-type'),
    body: JSON.parse(text) as unknown,
  };
}

function openaiError(message: string, type: string, code: string) {
  return { error: { message, type, param: null, code } };
}

function anthropicError(type: string, message: string) {
  return { type: 'error', error: { type, message } };
}

/** A JSON chat body of exactly `size` bytes, padded inside the user's message. */
function chatBodyOfSize(size: number): string {
  const empty = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '' }] });
  const padded = JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'x'.repeat(size - empty.length) }],
  });
  assert.equal(Buffer.byteLength(padded), size);
  return padded;
}

describe('requests the gateway refuses without asking the provider', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    config = writeConfig({
      providers: providersAt(upstream.url),
      limits: { maxBodyBytes: MAX_BODY_BYTES, upstreamTimeoutMs: 5000 },
    });
    gateway = await startTestGateway({ configFile: config.path, simulate: false });
  });

  after(async () => {
    // The upstream first: its open calls would keep the gateway's client from closing.
    await upstream.close();
    await gateway.stop();
    config.remove();
  });

  it('answers a body that is not JSON on an OpenAI route with 400 and records it', async () => {
    const sent = '{"model": "gpt-4o-mini", "messages": [';
    const answer = await post(`${gateway.url}/openai${CHAT_PATH}`, sent);

    const body = openaiError(
      'request body is not valid JSON',
      'invalid_request_error',
      'invalid_json',
    );
    assert.equal(answer.status, 400);
    assert.equal(answer.contentType, 'application/json');
    assert.deepEqual(answer.body, body);
    assert.match(answer.eventId ?? '', EVENT_ID);

    const event = await gateway.event(answer.eventId);
    assert.equal(event.id, answer.eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'openai',
      path: CHAT_PATH,
      outcome: { status: 'rejected', error: 'request body is not valid JSON' },
      httpStatus: 400,
      error: body,
      usageSource: 'missing',
    });
    assert.equal(event.request?.bodyBytes, Buffer.byteLength(sent));
    assert.equal(event.request?.bodySha256, createHash('sha256').update(sent).digest('hex'));
    assert.equal(upstream.requests.length, 0, 'the upstream was called');
  });

  it('answers a body that is not JSON on an Anthropic route in Anthropic shape', async () => {
    const answer = await post(`${gateway.url}/anthropic${MESSAGES_PATH}`, 'model=claude', {
      'content-type': 'application/x-www-form-urlencoded',
    });

    const body = anthropicError('invalid_request_error', 'request body is not valid JSON');
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, body);
    assert.match(answer.eventId ?? '', EVENT_ID);

    const event = await gateway.event(answer.eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'anthropic',
      path: MESSAGES_PATH,
      outcome: { status: 'rejected', error: 'request body is not valid JSON' },
      httpStatus: 400,
      error: body,
      usageSource: 'missing',
    });
    assert.equal(upstream.requests.length, 0, 'the upstream was called');
  });

  it('answers an unknown provider name with 404 in OpenAI shape and records the name', async () => {
    const answer = await post(`${gateway.url}/nosuch${CHAT_PATH}`, chatBody);

    const message = "no provider is named 'nosuch'";
    const body = openaiError(message, 'invalid_request_error', 'unknown_provider');
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body, body);
    assert.match(answer.eventId ?? '', EVENT_ID);

    const event = await gateway.event(answer.eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'http.call',
      provider: 'nosuch',
      path: CHAT_PATH,
      outcome: { status: 'rejected', error: message },
      httpStatus: 404,
      error: body,
      usageSource: null,
    });
    assert.equal(upstream.requests.length, 0, 'the upstream was called');
  });

  it('answers a declared length over maxBodyBytes with 413 and records the size', async () => {
    const sent = chatBodyOfSize(1500);
    const answer = await post(`${gateway.url}/openai${CHAT_PATH}`, sent);

    const message = `request body exceeds the limit of ${MAX_BODY_BYTES} bytes`;
    const body = openaiError(message, 'invalid_request_error', 'request_too_large');
    assert.equal(answer.status, 413);
    assert.deepEqual(answer.body, body);
    assert.match(answer.eventId ?? '', EVENT_ID);

    const event = await gateway.event(answer.eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'openai',
      path: CHAT_PATH,
      outcome: { status: 'rejected', error: message },
      httpStatus: 413,
      error: body,
      usageSource: 'missing',
    });
    assert.equal(event.request?.bodyBytes, 1500);
    assert.equal(upstream.requests.length, 0, 'the upstream was called');
  });

  it('answers a chunked body past maxBodyBytes with 413 in Anthropic shape', async () => {
    // No content-length: the gateway can only tell by counting. 600 + 600 bytes, then the
    // request stays open, so the answer cannot come from the end of the body.
    const url = new URL(`${gateway.url}/anthropic${MESSAGES_PATH}`);
    const request = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    request.on('error', () => {});
    request.write('x'.repeat(600));
    request.write('y'.repeat(600));
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    request.destroy();
    const text = Buffer.concat(chunks).toString('utf8');
    const answer = answerOf(response.statusCode ?? 0, (name) => headerOf(response, name), text);

    const message = `request body exceeds the limit of ${MAX_BODY_BYTES} bytes`;
    const body = anthropicError('request_too_large', message);
    assert.equal(request.getHeader('content-length'), undefined);
    assert.equal(answer.status, 413);
    assert.deepEqual(answer.body, body);
    assert.match(answer.eventId ?? '', EVENT_ID);

    const event = await gateway.event(answer.eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'anthropic',
      path: MESSAGES_PATH,
      outcome: { status: 'rejected', error: message },
      httpStatus: 413,
      error: body,
      usageSource: 'missing',
    });
    assert.equal(event.request?.bodyBytes, 1200);
    assert.equal(upstream.requests.length, 0, 'the upstream was called');
  });
});

function headerOf(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

describe('an upstream that cannot be reached', () => {
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    const baseUrl = `http://127.0.0.1:${await unusedPort()}`;
    config = writeConfig({ providers: providersAt(baseUrl) });
    gateway = await startTestGateway({ configFile: config.path, simulate: false });
  });

  after(async () => {
    await gateway.stop();
    config.remove();
  });

  const message = 'the provider could not be reached (ECONNREFUSED)';

  it('answers 502 in OpenAI shape and records upstream_unreachable', async () => {
    const answer = await post(`${gateway.url}/openai${CHAT_PATH}`, chatBody);

    const body = openaiError(message, 'server_error', 'upstream_unreachable');
    assert.equal(answer.status, 502);
    assert.deepEqual(answer.body, body);
    assert.match(answer.eventId ?? '', EVENT_ID);

    const event = await gateway.event(answer.eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'openai',
      path: CHAT_PATH,
      outcome: { status: 'upstream_unreachable', error: message },
      httpStatus: 502,
      error: body,
      usageSource: 'missing',
    });
    assert.equal(event.request?.model, 'gpt-4o-mini');
  });

  it('answers 502 in Anthropic shape on an Anthropic route', async () => {
    const sent = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [] });
    const answer = await post(`${gateway.url}/anthropic${MESSAGES_PATH}`, sent);

    const body = anthropicError('api_error', message);
    assert.equal(answer.status, 502);
    assert.deepEqual(answer.body, body);

    const event = await gateway.event(answer.eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'anthropic',
      path: MESSAGES_PATH,
      outcome: { status: 'upstream_unreachable', error: message },
      httpStatus: 502,
      error: body,
      usageSource: 'missing',
    });
  });
});

describe('an upstream that accepts the call and never answers', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startUpstream(() => {
      // Holds the connection open without a status line.
    });
    config = writeConfig({
      providers: providersAt(upstream.url),
      limits: { maxBodyBytes: MAX_BODY_BYTES, upstreamTimeoutMs: 300 },
    });
    gateway = await startTestGateway({ configFile: config.path, simulate: false });
  });

  after(async () => {
    await upstream.close();
    await gateway.stop();
    config.remove();
  });

  it('answers 504 after upstreamTimeoutMs and records a timeout', async () => {
    const started = performance.now();
    const answer = await post(`${gateway.url}/openai${CHAT_PATH}`, chatBody);
    const waited = performance.now() - started;

    const message = 'the provider did not answer in time';
    const body = openaiError(message, 'server_error', 'timeout');
    assert.equal(answer.status, 504);
    assert.deepEqual(answer.body, body);
    assert.match(answer.eventId ?? '', EVENT_ID);
    assert.equal(upstream.requests.length, 1, 'the call never reached the upstream');
    assert.ok(waited >= 290, `answered after ${waited} ms, before the 300 ms timeout`);
    assert.ok(waited < 3000, `answered after ${waited} ms, long past the 300 ms timeout`);

    const event = await gateway.event(answer.eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'openai',
      path: CHAT_PATH,
      outcome: { status: 'timeout', error: message },
      httpStatus: 504,
      error: body,
      usageSource: 'missing',
    });
  });
});
