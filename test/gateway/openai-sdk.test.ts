import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { AuditEvent, MessagePart } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const RECORDED = new URL('../fixtures/recorded/', import.meta.url);
type ChatBody = {
  model: string;
  system_fingerprint: string;
  choices: { message: { content: string } }[];
  usage: { prompt_tokens: number; completion_tokens: number };
};
const TEXT_RECORDING = JSON.parse(
  readFileSync(new URL('openai-chat/openai-text.json', RECORDED), 'utf8'),
) as ChatBody;
/** The text the recorded stream delivers, rebuilt from its chunks. */
const STREAMED_TEXT = readFileSync(new URL('openai-chat/openai-text.chunks.txt', RECORDED), 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as { choices: { delta?: { content?: string } }[] })
  .map((chunk) => chunk.choices[0]?.delta?.content ?? '')
  .join('');

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'weather',
    description: 'current weather for a location',
    parameters: { type: 'object', properties: { location: { type: 'string' } } },
  },
};

function outputText(event: AuditEvent): string {
  const parts: MessagePart[] = event.response?.output?.flatMap((message) => message.parts) ?? [];
  return parts.map((part) => (part.type === 'text' ? part.content : '')).join('');
}

describe('the OpenAI SDK through the gateway', () => {
  let gateway: TestGateway;
  let client: OpenAI;

  before(async () => {
    // These tests check that stored content is what was sent and streamed; the recordings hold
    // a holiday's name and a documentation link, which the privacy gate would mask by default.
    gateway = await startTestGateway({
      environment: { AUDITGATE_PRIVACY__STRATEGIES: '{person: keep, url: keep}' },
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test-openai-key' });
  });
  after(() => gateway.stop());

  it('answers a chat call as the provider did and records it in full', async () => {
    const { data, response } = await client.chat.completions
      .create(
        {
          model: 'gpt-4.1-nano',
          temperature: 0.2,
          user: 'user-42',
          messages: [
            { role: 'system', content: 'You are a calendar assistant.' },
            { role: 'user', content: 'Invent a new holiday.' },
          ],
        },
        {
          headers: { 'x-auditgate-session': 'session-7', 'x-auditgate-tags': 'ward=4;shift=night' },
        },
      )
      .withResponse();
    const recordedText = TEXT_RECORDING.choices[0]?.message.content;
    assert.equal(data.choices[0]?.message.content, recordedText);

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.kind, 'llm.call');
    assert.equal(event.outcome.status, 'ok');
    assert.deepEqual(
      [event.request?.provider, event.request?.endpoint, event.request?.model],
      ['openai', 'chat.completions', 'gpt-4.1-nano'],
    );
    assert.equal(event.request?.system, 'You are a calendar assistant.');
    assert.deepEqual(event.request?.messages?.at(-1), {
      role: 'user',
      parts: [{ type: 'text', content: 'Invent a new holiday.' }],
    });
    assert.equal(event.request?.parameters?.temperature, 0.2);
    assert.equal(event.response?.model, 'gpt-4.1-nano-2025-04-14');
    assert.equal(event.response?.systemFingerprint, 'fp_de604bd877');
    assert.equal(event.response?.finishReason, 'stop');
    assert.equal(event.response?.simulated, true);
    assert.equal(outputText(event), recordedText);
    assert.deepEqual(
      [event.usage?.inputTokens, event.usage?.outputTokens, event.usage?.cacheReadTokens],
      [16, 363, 0],
    );
    assert.equal(event.usage?.source, 'provider');
    assert.deepEqual(event.usage?.raw, TEXT_RECORDING.usage);
    assert.equal(event.identity.userId, 'user-42');
    assert.equal(event.identity.sessionId, 'session-7');
    assert.equal(event.identity.authMethod, 'provider_key');
    assert.match(event.identity.keyFingerprint ?? '', /^sha256:[0-9a-f]{12}$/);
    assert.deepEqual(event.identity.verified, []);
    assert.deepEqual(event.attribution.tags, { ward: '4', shift: 'night' });
    assert.ok(response.headers.get('x-auditgate-overhead-ms'));
  });

  it('streams, asks for usage itself and withholds the usage chunk the caller did not ask for', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'gpt-4.1-nano',
        stream: true,
        messages: [{ role: 'user', content: 'Invent a new holiday.' }],
      })
      .withResponse();
    let text = '';
    let usageOnlyChunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices.length === 0 && chunk.usage) usageOnlyChunks += 1;
    }
    assert.equal(text, STREAMED_TEXT);
    assert.equal(usageOnlyChunks, 0);

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.request?.stream, true);
    assert.deepEqual(
      event.request?.rewrites.map((rewrite) => rewrite.path),
      ['stream_options.include_usage'],
    );
    assert.equal(outputText(event), STREAMED_TEXT);
    assert.deepEqual([event.usage?.inputTokens, event.usage?.outputTokens], [16, 300]);
    assert.equal(event.response?.finishReason, 'stop');
    assert.ok(event.timing.ttftMs !== null && event.timing.ttftMs >= 0);
  });

  it('passes the usage chunk through untouched when the caller asked for it', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'gpt-4.1-nano',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Invent a new holiday.' }],
      })
      .withResponse();
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    assert.equal(usage?.completion_tokens, 300);

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.deepEqual(event.request?.rewrites, []);
    assert.equal(event.usage?.outputTokens, 300);
  });

  it("records a tool loop: the call, then the tool's result and the answer", async () => {
    const question = { role: 'user' as const, content: 'What is the weather in San Francisco?' };
    const first = await client.chat.completions
      .create({ model: 'deepseek-reasoner', tools: [WEATHER_TOOL], messages: [question] })
      .withResponse();
    const toolCall = first.data.choices[0]?.message.tool_calls?.[0];
    assert.ok(toolCall?.type === 'function');
    assert.equal(toolCall.function.name, 'weather');

    const firstEvent = await gateway.event(first.response.headers.get('x-auditgate-event-id'));
    assert.deepEqual(firstEvent.response?.toolCalls, [
      {
        id: 'call_00_9V0vrf86Pc9aelHCJMZqnJBo',
        name: 'weather',
        arguments: { location: 'San Francisco' },
      },
    ]);
    assert.equal(firstEvent.response?.finishReason, 'tool_call');
    assert.deepEqual(
      [
        firstEvent.usage?.inputTokens,
        firstEvent.usage?.cacheReadTokens,
        firstEvent.usage?.reasoningTokens,
      ],
      [339, 320, 48],
    );
    assert.equal(firstEvent.request?.tools?.[0]?.name, 'weather');

    const second = await client.chat.completions
      .create({
        model: 'deepseek-reasoner',
        tools: [WEATHER_TOOL],
        messages: [
          question,
          first.data.choices[0]!.message,
          { role: 'tool', tool_call_id: toolCall.id, content: '{"temperature": 18}' },
        ],
      })
      .withResponse();
    assert.equal(second.data.choices[0]?.finish_reason, 'stop');

    const secondEvent = await gateway.event(second.response.headers.get('x-auditgate-event-id'));
    const toolResult = secondEvent.request?.messages?.at(-1);
    assert.equal(toolResult?.role, 'tool');
    assert.deepEqual(toolResult?.parts[0], {
      type: 'tool_call_response',
      id: toolCall.id,
      response: '{"temperature": 18}',
    });
  });

  it('assembles a streamed tool call from its argument deltas', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'deepseek-reasoner',
        stream: true,
        tools: [WEATHER_TOOL],
        messages: [{ role: 'user', content: 'What is the weather in San Francisco?' }],
      })
      .withResponse();
    for await (const chunk of stream) void chunk;

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.response?.toolCalls?.[0]?.name, 'weather');
    assert.deepEqual(event.response?.toolCalls?.[0]?.arguments, { location: 'San Francisco' });
    // The recording's last chunk carries both a choice and the usage: the usage is taken,
    // cached tokens included.
    assert.deepEqual(
      [
        event.usage?.inputTokens,
        event.usage?.cacheReadTokens,
        event.usage?.outputTokens,
        event.usage?.reasoningTokens,
      ],
      [339, 320, 83, 39],
    );
  });

  it('serves the provider name route as well as the /v1 alias', async () => {
    const named = new OpenAI({ baseURL: `${gateway.url}/openai/v1`, apiKey: 'sk-test' });
    const { response } = await named.chat.completions
      .create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.request?.provider, 'openai');
    assert.equal(event.request?.path, '/v1/chat/completions');
  });
});
