import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { waitForEvent } from '../helpers/recorded.js';
import {
  startUpstream,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

// Cases that other gateways have recorded wrongly, each with the value the event must hold.

const OPENAI_CHUNKS = readFileSync(
  new URL('../fixtures/recorded/openai-chat/openai-text.chunks.txt', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim());
/** The recorded stream as a server that never sends usage would: the usage chunk left out. */
const WITHOUT_USAGE = OPENAI_CHUNKS.filter((line) => !line.includes('"usage":{'));

/** An Anthropic stream whose message_start says output 1 and message_delta says 15. */
const ANTHROPIC_EVENTS = [
  '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"usage":{"input_tokens":25,"output_tokens":1}}}',
  '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
  '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Fifteen tokens of answer"}}',
  '{"type":"content_block_stop","index":0}',
  '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}',
  '{"type":"message_stop"}',
].map((line) => `event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`);

describe('usage as the provider meant it', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;
  let releaseHeld = () => {};

  before(async () => {
    upstream = await startUpstream(async (request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (request.url.endsWith('/chat/completions')) {
        for (const line of WITHOUT_USAGE) response.write(`data: ${line}\n\n`);
        return void response.end('data: [DONE]\n\n');
      }
      const held = request.headers['x-test-hold'] === 'after-usage';
      for (const event of held ? ANTHROPIC_EVENTS.slice(0, 5) : ANTHROPIC_EVENTS) {
        response.write(event);
      }
      if (!held) return void response.end();
      await new Promise<void>((resolve) => (releaseHeld = resolve));
      response.end();
    });
    config = writeConfig({
      providers: {
        vllm: { type: 'openai-compatible', baseUrl: upstream.url },
        anthropic: { type: 'anthropic', baseUrl: upstream.url },
      },
    });
    gateway = await startTestGateway({ simulate: false, configFile: config.path });
  });
  after(async () => {
    releaseHeld();
    await gateway.stop();
    await upstream.close();
    config.remove();
  });

  it('records an OpenAI-compatible stream that never sends usage as missing, not 0', async () => {
    const response = await fetch(`${gateway.url}/vllm/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":"llama","stream":true,"messages":[{"role":"user","content":"hi"}]}',
    });
    await response.text();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    // An openai-compatible server is not asked for usage unless configured to be.
    assert.deepEqual(event.request?.rewrites, []);
    assert.deepEqual(event.usage, {
      inputTokens: null,
      outputTokens: null,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      reasoningTokens: null,
      source: 'missing',
      raw: null,
    });
    assert.equal(event.outcome.status, 'ok');
  });

  it('takes Anthropic stream usage as cumulative: output 1 then 15 is 15, not 16', async () => {
    const response = await fetch(`${gateway.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test' },
      body: '{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[]}',
    });
    await response.text();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.deepEqual([event.usage?.inputTokens, event.usage?.outputTokens], [25, 15]);
    assert.equal(event.usage?.source, 'provider');
  });

  it('records a stream abandoned right after its usage frame with what was seen', async () => {
    const abort = new AbortController();
    const response = await fetch(`${gateway.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'k',
        'x-test-hold': 'after-usage',
      },
      body: '{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[]}',
      signal: abort.signal,
    });
    const reader = response.body!.getReader();
    let received = '';
    while (!received.includes('message_delta')) {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
    }
    abort.abort();

    // Recorded once the gateway has seen the client go.
    const event = await waitForEvent(gateway, response.headers.get('x-auditgate-event-id'));
    assert.equal(event.outcome.status, 'client_aborted');
    assert.equal(event.usage?.outputTokens, 15);
    assert.deepEqual(event.response?.output?.[0]?.parts, [
      { type: 'text', content: 'Fifteen tokens of answer' },
    ]);
  });
});
