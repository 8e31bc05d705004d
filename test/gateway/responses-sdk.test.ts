import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chunkObjects, jsonBody } from '../providers/fixtures.js';

// Values below are read from test/fixtures/recorded/openai-responses/*.
type Usage = { input_tokens: number; output_tokens: number };
type Item = { type: string; content?: { type: string; text?: string }[] };
type Body = { id: string; model: string; output: Item[]; usage: Usage };

function messageText(output: Item[]): string {
  const parts = output.flatMap((item) => (item.type === 'message' ? (item.content ?? []) : []));
  return parts.map((part) => (part.type === 'output_text' ? (part.text ?? '') : '')).join('');
}

/** The simulator's whole text answer: reasoning, then the text. */
const REASONING = jsonBody('openai-responses/openai-reasoning-encrypted-content.1.json') as Body;
const REASONING_TEXT = '12 + 7 = 19\n19 × 3 = 57\n57 × 10 = 570\n\nFinal result: 570';

/** The simulator's streamed text answer: a file search, then the text with citations. */
const FILE_SEARCH_EVENTS = chunkObjects('openai-responses/openai-file-search-tool.1.chunks.txt');
const FILE_SEARCH_TEXT = FILE_SEARCH_EVENTS.filter(
  (event) => event.type === 'response.output_text.delta',
)
  .map((event) => String(event.delta))
  .join('');
const FILE_SEARCH_USAGE = (FILE_SEARCH_EVENTS.at(-1)?.response as { usage: Usage }).usage;

/** The simulator's function call: one call named `parallel` that wraps two. */
const PARALLEL = jsonBody('openai-responses/parallel-tool-call-wrapper.1.json') as Body;
const PARALLEL_ARGUMENTS = {
  tool_uses: [
    { recipient_name: 'functions.weather', parameters: { location: 'San Francisco' } },
    { recipient_name: 'functions.cityAttractions', parameters: { city: 'Rome' } },
  ],
};
/** The wrapper as sent, a tool call part of the output. */
const PARALLEL_PART = {
  type: 'tool_call',
  id: 'call_parallel',
  name: 'parallel',
  arguments: PARALLEL_ARGUMENTS,
};
/** The call as the provider sent it: its call_id is what the caller's result answers. */
const WRAPPED_CALLS = [{ id: 'call_parallel', name: 'parallel', arguments: PARALLEL_ARGUMENTS }];

/** The custom tool call's free-form input. */
const SQL = 'SELECT * FROM users WHERE age > 25';

const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'weather',
  description: 'current weather for a location',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string' } },
    required: ['location'],
    additionalProperties: false,
  },
  strict: true,
};

function outputText(event: AuditEvent): string {
  const parts = event.response?.output?.flatMap((message) => message.parts) ?? [];
  return parts.map((part) => (part.type === 'text' ? part.content : '')).join('');
}

function usageOf(event: AuditEvent): (number | null | undefined)[] {
  const usage = event.usage;
  return [usage?.inputTokens, usage?.outputTokens, usage?.cacheReadTokens, usage?.reasoningTokens];
}

describe('the OpenAI SDK, Responses API, through the gateway', () => {
  let gateway: TestGateway;
  let client: OpenAI;

  before(async () => {
    // These tests check that stored content is what was sent and streamed; the recordings hold
    // a holiday's name and a documentation link, which the privacy gate would mask by default.
    gateway = await startTestGateway({
      environment: { AUDITGATE_PRIVACY__STRATEGIES: '{person: keep, url: keep}' },
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test-openai', maxRetries: 0 });
  });
  after(() => gateway.stop());

  it('answers a response as the provider did and records it in full', async () => {
    const { data, response } = await client.responses
      .create({
        model: 'gpt-5-mini',
        instructions: 'Show each step.',
        input: 'Add 12 and 7, multiply by 3, then by 10.',
        reasoning: { effort: 'low', summary: 'auto' },
      })
      .withResponse();
    assert.equal(data.output_text, REASONING_TEXT);
    assert.equal(messageText(REASONING.output), REASONING_TEXT);

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.kind, 'llm.call');
    assert.equal(event.outcome.status, 'ok');
    assert.deepEqual(
      [event.request?.provider, event.request?.endpoint, event.request?.model],
      ['openai', 'responses', 'gpt-5-mini'],
    );
    assert.equal(event.request?.stream, false);
    assert.equal(event.request?.system, 'Show each step.');
    assert.deepEqual(event.request?.parameters?.reasoning, { effort: 'low', summary: 'auto' });
    assert.equal(event.response?.id, 'resp_0f35ed53160b395301693cc957829881909359e7f80cdd20b5');
    assert.equal(event.response?.model, 'gpt-5-mini-2025-08-07');
    assert.equal(outputText(event), REASONING_TEXT);
    const reasoning = event.response?.output?.flatMap((message) => message.parts);
    assert.ok(
      reasoning?.some(
        (part) =>
          part.type === 'reasoning' && part.content.startsWith('**Reporting final result**'),
      ),
      'the reasoning summary is kept as a reasoning part',
    );
    assert.deepEqual(event.response?.toolCalls ?? [], []);
    assert.deepEqual(event.response?.finishReasons, ['completed']);
    assert.equal(event.response?.finishReason, 'stop');
    assert.deepEqual(usageOf(event), [865, 163, 0, 128]);
    assert.equal(event.usage?.source, 'provider');
    assert.deepEqual(event.usage?.raw, REASONING.usage);
    assert.equal(event.response?.simulated, true);
  });

  it('streams, and records the streamed answer, its usage and its file search', async () => {
    const { data: stream, response } = await client.responses
      .create({
        model: 'gpt-5-mini',
        input: 'What is an embedding model according to this document?',
        tools: [{ type: 'file_search', vector_store_ids: ['vs_68caad8bd5d88191ab766cf043d89a18'] }],
        stream: true,
      })
      .withResponse();
    let text = '';
    let completed: OpenAI.Responses.Response | null = null;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    assert.equal(text, FILE_SEARCH_TEXT);
    assert.match(text, /^According to the document, an embedding model converts/);
    assert.equal(completed?.usage?.input_tokens, 3737);

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.kind, 'llm.call');
    assert.equal(event.outcome.status, 'ok');
    assert.deepEqual(
      [event.request?.endpoint, event.request?.model, event.request?.stream],
      ['responses', 'gpt-5-mini', true],
    );
    assert.equal(event.response?.id, 'resp_0459517ad68504ad0068cabfba22b88192836339640e9a765a');
    assert.equal(event.response?.model, 'gpt-5-mini-2025-08-07');
    assert.equal(outputText(event), FILE_SEARCH_TEXT);
    assert.deepEqual(event.response?.toolCalls ?? [], []);
    assert.equal(event.response?.finishReason, 'stop');
    assert.deepEqual(usageOf(event), [3737, 621, 2304, 512]);
    assert.equal(event.usage?.source, 'provider');
    assert.deepEqual(event.usage?.raw, FILE_SEARCH_USAGE);
    assert.ok(event.timing.ttftMs !== null && event.timing.ttftMs >= 0);
    // The search ran at OpenAI, but its results were not asked for (`include`): no documents.
    assert.deepEqual(event.request?.retrieval, []);
  });

  it('records a tool loop: the function call, then its output and the answer', async () => {
    const question = {
      role: 'user' as const,
      content: 'Weather in San Francisco, and what to see in Rome?',
    };
    const first = await client.responses
      .create({ model: 'gpt-5.4', tools: [WEATHER_TOOL], input: [question] })
      .withResponse();
    const call = first.data.output.find((item) => item.type === 'function_call');
    assert.ok(call?.type === 'function_call');
    assert.deepEqual([call.call_id, call.name], ['call_parallel', 'parallel']);
    assert.deepEqual(JSON.parse(call.arguments), PARALLEL_ARGUMENTS);

    const firstEvent = await gateway.event(first.response.headers.get('x-auditgate-event-id'));
    assert.equal(firstEvent.kind, 'llm.call');
    assert.deepEqual(
      [firstEvent.request?.endpoint, firstEvent.request?.model, firstEvent.response?.model],
      ['responses', 'gpt-5.4', 'gpt-5.4'],
    );
    assert.equal(firstEvent.request?.tools?.[0]?.name, 'weather');
    assert.deepEqual(firstEvent.response?.toolCalls, WRAPPED_CALLS);
    assert.deepEqual(firstEvent.response?.output?.[0]?.parts, [PARALLEL_PART]);
    assert.equal(firstEvent.response?.finishReason, 'tool_call');
    assert.equal(outputText(firstEvent), '');
    assert.deepEqual(usageOf(firstEvent), [34, 28, 0, 0]);
    assert.equal(firstEvent.usage?.source, 'provider');
    assert.deepEqual(firstEvent.usage?.raw, PARALLEL.usage);

    const output = '{"weather":{"temperature":18},"attractions":["Colosseum"]}';
    const second = await client.responses
      .create({
        model: 'gpt-5.4',
        tools: [WEATHER_TOOL],
        input: [question, call, { type: 'function_call_output', call_id: call.call_id, output }],
      })
      .withResponse();
    assert.equal(second.data.output_text, REASONING_TEXT);

    const secondEvent = await gateway.event(second.response.headers.get('x-auditgate-event-id'));
    const messages = secondEvent.request?.messages ?? [];
    assert.deepEqual(
      messages.flatMap((message) => message.parts).filter((part) => part.type !== 'text'),
      [PARALLEL_PART, { type: 'tool_call_response', id: 'call_parallel', response: output }],
    );
    assert.deepEqual(secondEvent.response?.toolCalls ?? [], []);
    assert.equal(secondEvent.response?.finishReason, 'stop');
    assert.equal(outputText(secondEvent), REASONING_TEXT);
    assert.deepEqual(usageOf(secondEvent), [865, 163, 0, 128]);
  });

  it('assembles a streamed function call from its argument deltas', async () => {
    const { data: stream, response } = await client.responses
      .create({ model: 'gpt-5.4', tools: [WEATHER_TOOL], input: 'Weather?', stream: true })
      .withResponse();
    let argumentsText = '';
    for await (const event of stream) {
      if (event.type === 'response.function_call_arguments.done') argumentsText = event.arguments;
    }
    assert.deepEqual(JSON.parse(argumentsText), PARALLEL_ARGUMENTS);

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.request?.stream, true);
    assert.equal(event.response?.id, 'resp_parallel');
    assert.deepEqual(event.response?.toolCalls, WRAPPED_CALLS);
    assert.deepEqual(event.response?.output?.[0]?.parts, [PARALLEL_PART]);
    assert.equal(event.response?.finishReason, 'tool_call');
    assert.deepEqual(usageOf(event), [34, 28, 0, 0]);
    assert.equal(event.usage?.source, 'provider');
  });

  it('records a custom tool call with its free-form input as the arguments', async () => {
    const tool = {
      type: 'custom' as const,
      name: 'write_sql',
      description: 'Write a SQL SELECT query to answer the user question.',
    };
    const { data, response } = await client.responses
      .create(
        { model: 'gpt-5.2-codex', tools: [tool], input: 'Users older than 25?' },
        { headers: { 'x-auditgate-simulate': 'openai-custom-tool.1' } },
      )
      .withResponse();
    const call = data.output[0];
    assert.equal(call?.type === 'custom_tool_call' ? call.input : undefined, SQL);

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.response?.model, 'gpt-5.2-codex');
    // Free-form input is no JSON, so the arguments are the raw string.
    assert.deepEqual(event.response?.toolCalls, [
      { id: 'call_custom_sql_001', name: 'write_sql', arguments: SQL },
    ]);
    assert.equal(event.response?.finishReason, 'tool_call');
    assert.deepEqual(usageOf(event), [50, 20, 0, 0]);
  });

  it('records the quota error sent inside a 200 stream', async () => {
    const { data: stream, response } = await client.responses
      .create(
        { model: 'gpt-5-nano', input: 'Hi', stream: true },
        { headers: { 'x-auditgate-simulate': 'openai-error.1' } },
      )
      .withResponse();
    await assert.rejects(
      async () => {
        for await (const event of stream) void event;
      },
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError);
        assert.equal(error.code, 'insufficient_quota');
        return true;
      },
    );

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.kind, 'llm.call');
    assert.equal(event.response?.httpStatus, 200);
    assert.equal(event.outcome.status, 'upstream_error');
    assert.equal((event.response?.error as { code?: string } | null)?.code, 'insufficient_quota');
    assert.equal(event.response?.model, 'gpt-5-nano-2025-08-07');
    assert.equal(event.response?.finishReason, 'error');
  });

  it('records the quota error answered as a 429', async () => {
    const request = client.responses
      .create(
        { model: 'gpt-5-nano', input: 'Hi' },
        { headers: { 'x-auditgate-simulate': 'openai-error.1' } },
      )
      .withResponse();
    let eventId: string | null = null;
    await assert.rejects(request, (error: unknown) => {
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.equal(error.code, 'insufficient_quota');
      eventId = error.headers?.get('x-auditgate-event-id') ?? null;
      return true;
    });

    const event = await gateway.event(eventId);
    assert.deepEqual(
      [event.kind, event.request?.endpoint, event.response?.httpStatus, event.outcome.status],
      ['llm.call', 'responses', 429, 'upstream_error'],
    );
    assert.deepEqual(event.response?.error, jsonBody('openai-responses/openai-error.1.json'));
  });
});
