import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  providersAt,
  startUpstream,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

// The opening events of test/fixtures/recorded/anthropic/anthropic-text.chunks.txt, then the
// error event Anthropic sends when it fails after the stream has begun.
const EVENTS = [
  '{"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_01QC4g3HwBThD4BaNtBckFDJ","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}',
  '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
  '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}',
  '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
];

describe('an error inside a streamed answer', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const line of EVENTS) {
        response.write(`event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`);
      }
      response.end();
    });
    config = writeConfig({ providers: providersAt(upstream.url) });
    gateway = await startTestGateway({ simulate: false, configFile: config.path });
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
    config.remove();
  });

  it('reaches the SDK as an error and is recorded as the provider error it is', async () => {
    const client = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: 'sk-ant-test' });
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hello, how are you?' }],
    });
    await assert.rejects(stream.finalMessage(), /overloaded/i);
    const { response } = await stream.withResponse();

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.response?.httpStatus, 200);
    assert.deepEqual(event.response?.error, { type: 'overloaded_error', message: 'Overloaded' });
    assert.equal(event.outcome.status, 'upstream_error');
    assert.match(event.outcome.error ?? '', /overloaded_error/);
    assert.deepEqual(event.response?.output?.[0]?.parts, [{ type: 'text', content: 'Hello' }]);
    // Only message_start's counts arrived: the usage is partial, not the provider's final word.
    assert.equal(event.usage?.source, 'partial');
    assert.equal(event.usage?.inputTokens, 12);
  });
});
