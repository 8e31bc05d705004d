import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { EVENT_ID, outcomeOf } from '../helpers/recorded.js';
import {
  providersAt,
  startUpstream,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

function recorded(file: string): unknown {
  const url = new URL(`../fixtures/recorded/${file}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as unknown;
}

// Provider error bodies with their own spacing and key order: a relay that re-serialised
// them would change the bytes.
const RATE_LIMIT_BODY =
  '{\n  "error": {\n    "message": "Rate limit reached for gpt-4o-mini on requests per min' +
  ' (RPM): Limit 3.",\n' +
  '    "type": "requests", "param": null,   "code": "rate_limit_exceeded"\n  }\n}\n';
const OVERLOADED_BODY =
  '{"type":"error",  "error":{"message":"Overloaded","type":"overloaded_error"}}';
const GATEWAY_PAGE = '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n';

const chatBody = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hello' }],
});
const messagesBody = JSON.stringify({
  model: 'claude-sonnet-4-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'Hello' }],
});

describe('a provider error passed through', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startUpstream((request, response) => {
      if (request.url === '/v1/chat/completions') {
        response.writeHead(429, {
          'content-type': 'application/json',
          'retry-after': '20',
          'x-request-id': 'req_upstream_429',
        });
        response.end(RATE_LIMIT_BODY);
      } else if (request.url === '/v1/messages') {
        response.writeHead(529, { 'content-type': 'application/json' }).end(OVERLOADED_BODY);
      } else {
        response.writeHead(503, { 'content-type': 'text/html' }).end(GATEWAY_PAGE);
      }
    });
    config = writeConfig({ providers: providersAt(upstream.url) });
    gateway = await startTestGateway({ configFile: config.path, simulate: false });
  });

  after(async () => {
    // The upstream first: its open calls would keep the gateway's client from closing.
    await upstream.close();
    await gateway.stop();
    config.remove();
  });

  async function post(path: string, body: string) {
    const response = await fetch(gateway.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-caller' },
      body,
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    return { response, bytes, eventId: response.headers.get('x-auditgate-event-id') };
  }

  it('relays an OpenAI 429 byte for byte, with its headers, and records the body', async () => {
    const { response, bytes, eventId } = await post('/openai/v1/chat/completions', chatBody);

    assert.equal(response.status, 429);
    assert.ok(bytes.equals(Buffer.from(RATE_LIMIT_BODY)), `body changed: ${bytes.toString()}`);
    assert.equal(response.headers.get('retry-after'), '20');
    assert.equal(response.headers.get('x-request-id'), 'req_upstream_429');
    assert.match(eventId ?? '', EVENT_ID);
    assert.equal(upstream.requests.at(-1)?.body, chatBody);

    const event = await gateway.event(eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'openai',
      path: '/v1/chat/completions',
      outcome: {
        status: 'upstream_error',
        error: 'the provider answered 429 (requests: rate_limit_exceeded)',
      },
      httpStatus: 429,
      error: JSON.parse(RATE_LIMIT_BODY) as unknown,
      usageSource: 'missing',
    });
    assert.equal(event.response?.bodyBytes, Buffer.byteLength(RATE_LIMIT_BODY));
    assert.equal(event.response?.simulated, false);
  });

  it('relays an Anthropic 529 byte for byte and records the body', async () => {
    const { response, bytes, eventId } = await post('/anthropic/v1/messages', messagesBody);

    assert.equal(response.status, 529);
    assert.ok(bytes.equals(Buffer.from(OVERLOADED_BODY)), `body changed: ${bytes.toString()}`);
    assert.match(eventId ?? '', EVENT_ID);

    const event = await gateway.event(eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'anthropic',
      path: '/v1/messages',
      outcome: { status: 'upstream_error', error: 'the provider answered 529 (overloaded_error)' },
      httpStatus: 529,
      error: { type: 'error', error: { message: 'Overloaded', type: 'overloaded_error' } },
      usageSource: 'missing',
    });
  });

  it('relays an error page that is not JSON and records its text', async () => {
    const { response, bytes, eventId } = await post('/openai/v1/models', '');

    assert.equal(response.status, 503);
    assert.equal(bytes.toString('utf8'), GATEWAY_PAGE);

    const event = await gateway.event(eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'http.call',
      provider: 'openai',
      path: '/v1/models',
      outcome: { status: 'upstream_error', error: 'the provider answered 503' },
      httpStatus: 503,
      error: GATEWAY_PAGE,
      usageSource: null,
    });
  });
});

describe('simulated provider errors through the official SDKs', () => {
  let gateway: TestGateway;

  before(async () => {
    gateway = await startTestGateway();
  });

  after(async () => {
    await gateway.stop();
  });

  it('makes the OpenAI SDK throw its 400 with the provider message, and records it', async () => {
    const client = new OpenAI({
      baseURL: `${gateway.url}/openai/v1`,
      apiKey: 'sk-test-openai',
      maxRetries: 0,
    });
    const fixture = recorded('openai-chat/reasoning-model-legacy-parameter-error.json');
    const message =
      "Unsupported parameter: 'max_tokens' is not supported with this model. " +
      "Use 'max_completion_tokens' instead.";

    const error = await client.chat.completions
      .create(
        { model: 'o3-mini', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] },
        { headers: { 'x-auditgate-simulate': 'reasoning-model-legacy-parameter-error' } },
      )
      .then(
        () => assert.fail('the call succeeded'),
        (thrown: unknown) => thrown,
      );

    assert.ok(error instanceof OpenAI.APIError, `threw ${String(error)}`);
    assert.equal(error.status, 400);
    assert.equal(error.message, `400 ${message}`);
    assert.equal(error.code, 'unsupported_parameter');
    assert.equal(error.param, 'max_tokens');
    assert.match(error.requestID ?? '', /^req_[0-9a-f]{32}$/);
    const eventId = error.headers?.get('x-auditgate-event-id') ?? null;
    assert.match(eventId ?? '', EVENT_ID);

    const event = await gateway.event(eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'openai',
      path: '/v1/chat/completions',
      outcome: {
        status: 'upstream_error',
        error: 'the provider answered 400 (invalid_request_error: unsupported_parameter)',
      },
      httpStatus: 400,
      error: fixture,
      usageSource: 'missing',
    });
    assert.equal(event.response?.simulated, true);
    assert.equal(event.request?.model, 'o3-mini');
  });

  it('makes the Anthropic SDK throw its 529 overloaded error, and records it', async () => {
    const client = new Anthropic({
      baseURL: `${gateway.url}/anthropic`,
      apiKey: 'sk-ant-test',
      maxRetries: 0,
    });
    const fixture = recorded('anthropic/anthropic-overloaded-error.derived.json');

    const error = await client.messages
      .create(
        { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] },
        { headers: { 'x-auditgate-simulate': 'anthropic-overloaded-error.derived' } },
      )
      .then(
        () => assert.fail('the call succeeded'),
        (thrown: unknown) => thrown,
      );

    assert.ok(error instanceof Anthropic.APIError, `threw ${String(error)}`);
    assert.equal(error.status, 529);
    assert.equal(error.apiMessage, 'Overloaded');
    assert.equal(error.type, 'overloaded_error');
    assert.deepEqual(error.error, fixture);
    const eventId = error.headers?.get('x-auditgate-event-id') ?? null;
    assert.match(eventId ?? '', EVENT_ID);

    const event = await gateway.event(eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'anthropic',
      path: '/v1/messages',
      outcome: { status: 'upstream_error', error: 'the provider answered 529 (overloaded_error)' },
      httpStatus: 529,
      error: fixture,
      usageSource: 'missing',
    });
    assert.equal(event.response?.simulated, true);
  });
});
