import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { MessagePart } from '../../src/event/types.js';
import { TRUNCATION_MARK } from '../../src/event/limit.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  providersAt,
  startUpstream,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

// The recorded non-streaming answer of test/fixtures/recorded/openai-chat/openai-text.json,
// shortened to what these tests read.
const ANSWER = JSON.stringify({
  id: 'chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU',
  object: 'chat.completion',
  model: 'gpt-4.1-nano-2025-04-14',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 16, completion_tokens: 1, total_tokens: 17 },
});
const MAX_CONTENT_BYTES = 1_048_576;

describe('large and odd bodies', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(ANSWER);
    });
    config = writeConfig({
      providers: providersAt(upstream.url),
      capture: { maxContentBytes: MAX_CONTENT_BYTES },
    });
    gateway = await startTestGateway({ simulate: false, configFile: config.path });
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
    config.remove();
  });

  async function send(body: Buffer) {
    const response = await fetch(`${gateway.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body,
    });
    await response.arrayBuffer();
    assert.equal(response.status, 200);
    return gateway.event(response.headers.get('x-auditgate-event-id'));
  }

  it('forwards a multi-megabyte prompt whole, and records it up to the content limit', async () => {
    const prompt = 'The patient reports intermittent chest pain. '.repeat(60_000); // 2.7 MB
    const image = Buffer.alloc(600_000, 7).toString('base64'); // 800 kB of base64
    const body = Buffer.from(
      JSON.stringify({
        model: 'gpt-4.1-nano',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: prompt },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${image}` } },
            ],
          },
        ],
      }),
    );
    const event = await send(body);

    assert.equal(upstream.requests.at(-1)?.body, body.toString('utf8'));
    assert.equal(event.request?.bodyBytes, body.length);
    assert.equal(event.request?.bodySha256, createHash('sha256').update(body).digest('hex'));
    assert.equal(event.request?.truncated, true);
    assert.equal(event.request?.model, 'gpt-4.1-nano');

    const content = { system: event.request?.system, messages: event.request?.messages };
    assert.ok(Buffer.byteLength(JSON.stringify(content)) <= MAX_CONTENT_BYTES);
    const text = event.request?.messages?.[0]?.parts[0] as MessagePart;
    assert.ok(text.type === 'text' && text.content.endsWith(TRUNCATION_MARK));
    assert.ok(text.content.startsWith('The patient reports intermittent chest pain. The'));
    // The answer was small, so the response is whole.
    assert.equal(event.response?.truncated, false);
    assert.equal(event.usage?.inputTokens, 16);
  });

  it('keeps U+0000 and lone surrogates exactly, and invalid UTF-8 without harm to the rest', async () => {
    const json =
      '{"model":"gpt-4.1-nano","messages":[{"role":"user","content":"a\\u0000b \\ud800 c"},';
    const invalid = Buffer.concat([
      Buffer.from(json),
      Buffer.from('{"role":"user","content":"before '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' after"}]}'),
    ]);
    const response = await fetch(`${gateway.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: invalid,
    });
    await response.arrayBuffer();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));

    assert.equal(event.request?.bodyBytes, invalid.length);
    assert.equal(event.request?.bodySha256, createHash('sha256').update(invalid).digest('hex'));
    const [first, second] = event.request?.messages ?? [];
    assert.deepEqual(first?.parts, [{ type: 'text', content: 'a\u0000b \ud800 c' }]);
    assert.deepEqual(second?.parts, [{ type: 'text', content: 'before \ufffd\ufffd after' }]);
  });

  it('forwards a 50-turn conversation byte for byte, so prompt caches keep working', async () => {
    const turns = Array.from({ length: 50 }, (_, turn) => ({
      role: turn % 2 === 0 ? 'user' : 'assistant',
      content: `turn ${turn}: ${'context '.repeat(turn + 1)}`,
    }));
    // Pretty-printed, with a key order no serialiser would produce.
    const text = JSON.stringify(
      { messages: turns, temperature: 0, model: 'gpt-4.1-nano' },
      null,
      3,
    );
    const event = await send(Buffer.from(text));
    assert.equal(upstream.requests.at(-1)?.body, text);
    assert.equal(event.request?.messages?.length, 50);
    assert.deepEqual(event.request?.rewrites, []);
  });
});

describe('an error response', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startUpstream((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"overloaded","type":"server_error","code":null}}');
    });
    config = writeConfig({ providers: providersAt(upstream.url) });
    gateway = await startTestGateway({ simulate: false, configFile: config.path });
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
    config.remove();
  });

  it('keeps the model, provider and caller fields, as a success would', async () => {
    const response = await fetch(`${gateway.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sk-test',
        'x-auditgate-user': 'nurse-12',
        'x-auditgate-app': 'triage',
      },
      body: JSON.stringify({
        model: 'gpt-4.1-nano',
        temperature: 0.1,
        messages: [{ role: 'user', content: 'hello' }],
      }),
    });
    assert.equal(response.status, 503);
    await response.arrayBuffer();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.kind, 'llm.call');
    assert.equal(event.request?.provider, 'openai');
    assert.equal(event.request?.model, 'gpt-4.1-nano');
    assert.equal(event.request?.parameters?.temperature, 0.1);
    assert.equal(event.identity.userId, 'nurse-12');
    assert.equal(event.attribution.appId, 'triage');
    assert.match(event.identity.keyFingerprint ?? '', /^sha256:/);
    assert.equal(event.outcome.status, 'upstream_error');
    assert.equal(event.response?.httpStatus, 503);
    assert.equal(event.usage?.source, 'missing');
  });
});
