import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

function outputText(event: AuditEvent): string {
  const parts = event.response?.output?.flatMap((message) => message.parts) ?? [];
  return parts.map((part) => (part.type === 'text' ? part.content : '')).join('');
}

// Values below are read from test/fixtures/recorded/anthropic/*.
const RECORDED_TEXT =
  "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?";
const STREAMED_TEXT =
  "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?";

describe('the Anthropic SDK through the gateway', () => {
  let gateway: TestGateway;
  let client: Anthropic;

  before(async () => {
    gateway = await startTestGateway();
    client = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: 'sk-ant-test-key' });
  });
  after(() => gateway.stop());

  it('answers a message as the provider did and records it in full', async () => {
    const { data, response } = await client.messages
      .create({
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        system: [{ type: 'text', text: 'Be brief.' }],
        metadata: { user_id: 'patient-portal-17' },
        messages: [{ role: 'user', content: 'Hello, how are you?' }],
      })
      .withResponse();
    assert.deepEqual(data.content, [{ type: 'text', text: RECORDED_TEXT }]);

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.deepEqual(
      [event.request?.provider, event.request?.endpoint, event.request?.model],
      ['anthropic', 'messages', 'claude-sonnet-4-5'],
    );
    assert.equal(event.request?.system, 'Be brief.');
    assert.equal(event.request?.parameters?.max_tokens, 256);
    assert.equal(event.identity.userId, 'patient-portal-17');
    assert.equal(event.response?.id, 'msg_01VdEjxAP5ahtHKrrRdNBteQ');
    assert.equal(event.response?.model, 'claude-sonnet-4-5-20250929');
    assert.deepEqual(event.response?.finishReasons, ['end_turn']);
    assert.equal(event.response?.finishReason, 'stop');
    assert.equal(outputText(event), RECORDED_TEXT);
    assert.deepEqual([event.usage?.inputTokens, event.usage?.outputTokens], [12, 29]);
  });

  it('streams, and takes the cumulative usage of message_delta (30, not 31)', async () => {
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Hello, how are you?' }],
    });
    const message = await stream.finalMessage();
    assert.deepEqual(message.content, [{ type: 'text', text: STREAMED_TEXT }]);
    const { response } = await stream.withResponse();

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.request?.stream, true);
    assert.equal(event.response?.id, 'msg_01QC4g3HwBThD4BaNtBckFDJ');
    assert.equal(outputText(event), STREAMED_TEXT);
    assert.deepEqual([event.usage?.inputTokens, event.usage?.outputTokens], [12, 30]);
    assert.equal(event.outcome.status, 'ok');
    assert.deepEqual(event.request?.rewrites, []);
  });

  it('counts cache reads inside the input tokens, as the GenAI conventions mean them', async () => {
    // Derived recording: anthropic-text with cache_read_input_tokens 2048 (see the README).
    const stream = client.messages.stream(
      {
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        messages: [{ role: 'user', content: 'Hello, how are you?' }],
      },
      { headers: { 'x-auditgate-simulate': 'anthropic-text-cache.derived' } },
    );
    await stream.finalMessage();
    const { response } = await stream.withResponse();

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    // Anthropic's input_tokens (12) exclude cache reads (2048): the normalised input is both.
    assert.deepEqual(
      [event.usage?.inputTokens, event.usage?.cacheReadTokens, event.usage?.cacheWriteTokens],
      [2060, 2048, 0],
    );
  });

  it('records a tool loop, with the tool input parsed', async () => {
    const tool = {
      name: 'json',
      description: 'answer as JSON',
      input_schema: { type: 'object' as const, properties: {} },
    };
    const question = { role: 'user' as const, content: 'Weather in four cities, as JSON.' };
    const first = await client.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 512, tools: [tool], messages: [question] })
      .withResponse();
    const toolUse = first.data.content.find((block) => block.type === 'tool_use');
    assert.equal(toolUse?.name, 'json');

    const firstEvent = await gateway.event(first.response.headers.get('x-auditgate-event-id'));
    assert.equal(firstEvent.response?.finishReason, 'tool_call');
    assert.equal(firstEvent.response?.toolCalls?.[0]?.id, 'toolu_01Q9ExVZnzZj7E2QQYHYtNUa');
    assert.deepEqual(
      (firstEvent.response?.toolCalls?.[0]?.arguments as { elements: unknown[] }).elements[1],
      { location: 'London', temperature: 0, condition: 'snowy' },
    );
    assert.deepEqual([firstEvent.usage?.inputTokens, firstEvent.usage?.outputTokens], [1151, 87]);

    const second = await client.messages
      .create({
        model: 'claude-haiku-4-5',
        max_tokens: 512,
        tools: [tool],
        messages: [
          question,
          { role: 'assistant', content: first.data.content },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: toolUse!.id, content: 'done' }],
          },
        ],
      })
      .withResponse();
    assert.equal(second.data.stop_reason, 'end_turn');
    const secondEvent = await gateway.event(second.response.headers.get('x-auditgate-event-id'));
    assert.deepEqual(secondEvent.request?.messages?.at(-1)?.parts[0], {
      type: 'tool_call_response',
      id: toolUse!.id,
      response: 'done',
    });
  });

  it('assembles a streamed tool call from its partial JSON', async () => {
    const stream = client.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 512,
      tools: [{ name: 'json', input_schema: { type: 'object' } }],
      messages: [{ role: 'user', content: 'Weather in San Francisco, as JSON.' }],
    });
    await stream.finalMessage();
    const { response } = await stream.withResponse();

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.deepEqual(event.response?.toolCalls, [
      {
        id: 'toolu_01KFbKqPYSuAKujiL6mTfzYA',
        name: 'json',
        arguments: {
          elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }],
        },
      },
    ]);
    assert.deepEqual([event.usage?.inputTokens, event.usage?.outputTokens], [849, 47]);
  });
});
