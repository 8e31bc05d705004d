import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError, GoogleGenAI, Type, type Content } from '@google/genai';
import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chunkLines, chunkObjects, jsonBody } from '../providers/fixtures.js';

// Values below are read from test/fixtures/recorded/google/*.
type Body = { responseId: string; usageMetadata: unknown };
const TEXT = jsonBody('google/google-text.json') as Body;
const TEXT_ANSWER =
  "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.";
const STREAMED_ANSWER = 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y';
const STREAMED_USAGE = chunkObjects('google/google-text.chunks.txt').at(-1)?.usageMetadata;
const TOOL_CALL = jsonBody('google/google-tool-call.json') as Body;
const RATE_LIMITED = jsonBody('google/google-429-retry-info.json');

const MODEL = 'gemini-3-pro-preview';
const QUESTION = 'How many r are in strawberry?';
const WEATHER = {
  functionDeclarations: [
    {
      name: 'weather',
      description: 'current weather for a location',
      parameters: {
        type: Type.OBJECT,
        properties: { location: { type: Type.STRING } },
        required: ['location'],
      },
    },
  ],
};

function outputText(event: AuditEvent): string {
  const parts = event.response?.output?.flatMap((message) => message.parts) ?? [];
  return parts.map((part) => (part.type === 'text' ? part.content : '')).join('');
}

function usageOf(event: AuditEvent): (number | null | undefined)[] {
  const usage = event.usage;
  return [usage?.inputTokens, usage?.outputTokens, usage?.cacheReadTokens, usage?.reasoningTokens];
}

function eventIdOf(response: { sdkHttpResponse?: { headers?: Record<string, string> } }) {
  return response.sdkHttpResponse?.headers?.['x-auditgate-event-id'] ?? null;
}

describe('the Google GenAI SDK through the gateway', () => {
  let gateway: TestGateway;
  let client: GoogleGenAI;

  before(async () => {
    gateway = await startTestGateway();
    client = new GoogleGenAI({
      apiKey: 'gemini-test-key',
      httpOptions: { baseUrl: `${gateway.url}/gemini` },
    });
  });
  after(() => gateway.stop());

  it('answers generateContent as the provider did and records it in full', async () => {
    const response = await client.models.generateContent({
      model: MODEL,
      contents: QUESTION,
      config: { systemInstruction: 'Be brief.', temperature: 0.2 },
    });
    assert.equal(response.text, TEXT_ANSWER);
    assert.equal(response.modelVersion, MODEL);

    const event = await gateway.event(eventIdOf(response));
    assert.equal(event.kind, 'llm.call');
    assert.equal(event.outcome.status, 'ok');
    assert.deepEqual(
      [event.request?.provider, event.request?.endpoint, event.request?.model],
      ['gemini', 'generate_content', MODEL],
    );
    assert.equal(event.request?.path, `/v1beta/models/${MODEL}:generateContent`);
    assert.equal(event.request?.stream, false);
    assert.equal(event.request?.system, 'Be brief.');
    assert.deepEqual(event.request?.messages, [
      { role: 'user', parts: [{ type: 'text', content: QUESTION }] },
    ]);
    assert.equal(event.response?.id, TEXT.responseId);
    assert.equal(event.response?.model, MODEL);
    assert.equal(outputText(event), TEXT_ANSWER);
    assert.deepEqual(event.response?.toolCalls ?? [], []);
    assert.deepEqual(event.response?.finishReasons, ['STOP']);
    assert.equal(event.response?.finishReason, 'stop');
    // Output counts the thinking tokens: 28 candidates + 244 thoughts. No cache was reported.
    assert.deepEqual(usageOf(event), [9, 272, null, 244]);
    assert.equal(event.usage?.source, 'provider');
    assert.deepEqual(event.usage?.raw, TEXT.usageMetadata);
    assert.equal(event.identity.authMethod, 'provider_key');
  });

  it('streams over SSE, and the event can be found by listing gemini events', async () => {
    let text = '';
    let eventId: string | null = null;
    const stream = await client.models.generateContentStream({ model: MODEL, contents: QUESTION });
    for await (const chunk of stream) {
      text += chunk.text ?? '';
      eventId = eventIdOf(chunk);
    }
    assert.equal(text, STREAMED_ANSWER);

    await gateway.flush();
    const listed = await gateway.api('/api/v1/events?provider=gemini&limit=1');
    const newest = (listed.body as { events: AuditEvent[] }).events[0];
    assert.equal(newest?.id, eventId);

    const event = await gateway.event(eventId);
    assert.equal(event.kind, 'llm.call');
    assert.equal(event.outcome.status, 'ok');
    assert.equal(event.request?.path, `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
    assert.deepEqual(
      [event.request?.endpoint, event.request?.model, event.request?.stream],
      ['generate_content', MODEL, true],
    );
    assert.equal(event.response?.id, 'bH6LaZW8Fp_3nsEPqtaSwQ4');
    assert.equal(event.response?.model, MODEL);
    assert.equal(outputText(event), STREAMED_ANSWER);
    assert.equal(event.response?.finishReason, 'stop');
    // The last chunk's usage: 23 candidates + 185 thoughts.
    assert.deepEqual(usageOf(event), [9, 208, null, 185]);
    assert.equal(event.usage?.source, 'provider');
    assert.deepEqual(event.usage?.raw, STREAMED_USAGE);
    assert.ok(event.timing.ttftMs !== null && event.timing.ttftMs >= 0);
  });

  it('records a tool loop: the function call, then its response and the answer', async () => {
    const question: Content = { role: 'user', parts: [{ text: 'Weather in San Francisco?' }] };
    const first = await client.models.generateContent({
      model: MODEL,
      contents: [question],
      config: { tools: [WEATHER] },
    });
    assert.deepEqual(first.functionCalls?.[0]?.name, 'weather');
    assert.deepEqual(first.functionCalls?.[0]?.args, { location: 'San Francisco' });

    const firstEvent = await gateway.event(eventIdOf(first));
    assert.equal(firstEvent.kind, 'llm.call');
    assert.equal(firstEvent.request?.tools?.[0]?.name, 'weather');
    assert.equal(firstEvent.response?.id, TOOL_CALL.responseId);
    assert.deepEqual(firstEvent.response?.toolCalls, [
      { id: null, name: 'weather', arguments: { location: 'San Francisco' } },
    ]);
    // Gemini ends a function-calling turn with STOP; the event says what it meant.
    assert.deepEqual(firstEvent.response?.finishReasons, ['STOP']);
    assert.equal(firstEvent.response?.finishReason, 'tool_call');
    assert.equal(outputText(firstEvent), '');
    assert.deepEqual(usageOf(firstEvent), [29, 908, null, 893]);
    assert.deepEqual(firstEvent.usage?.raw, TOOL_CALL.usageMetadata);

    const modelTurn = first.candidates?.[0]?.content;
    assert.ok(modelTurn);
    const result: Content = {
      role: 'user',
      parts: [{ functionResponse: { name: 'weather', response: { temperature: 18 } } }],
    };
    const second = await client.models.generateContent({
      model: MODEL,
      contents: [question, modelTurn, result],
      config: { tools: [WEATHER] },
    });
    assert.equal(second.text, TEXT_ANSWER);

    const secondEvent = await gateway.event(eventIdOf(second));
    assert.deepEqual(
      secondEvent.request?.messages?.map((message) => message.role),
      ['user', 'assistant', 'user'],
    );
    assert.deepEqual(secondEvent.request?.messages?.[1]?.parts, [
      { type: 'tool_call', id: null, name: 'weather', arguments: { location: 'San Francisco' } },
    ]);
    assert.deepEqual(secondEvent.request?.messages?.[2]?.parts, [
      { type: 'tool_call_response', id: null, response: { temperature: 18 }, name: 'weather' },
    ]);
    assert.deepEqual(secondEvent.response?.toolCalls ?? [], []);
    assert.equal(secondEvent.response?.finishReason, 'stop');
    assert.equal(outputText(secondEvent), TEXT_ANSWER);
  });

  it('records a streamed function call', async () => {
    let eventId: string | null = null;
    const names: string[] = [];
    const stream = await client.models.generateContentStream({
      model: MODEL,
      contents: 'Weather in San Francisco?',
      config: { tools: [WEATHER] },
    });
    for await (const chunk of stream) {
      names.push(...(chunk.functionCalls ?? []).map((call) => call.name ?? ''));
      eventId = eventIdOf(chunk);
    }
    assert.deepEqual(names, ['weather']);

    const event = await gateway.event(eventId);
    assert.equal(event.request?.stream, true);
    assert.equal(event.response?.id, 'b36LacjwM668nsEP2tbsgQQ');
    assert.deepEqual(event.response?.toolCalls, [
      { id: null, name: 'weather', arguments: { location: 'San Francisco' } },
    ]);
    assert.equal(event.response?.finishReason, 'tool_call');
    assert.deepEqual(usageOf(event), [29, 60, null, 45]);
    assert.equal(event.usage?.source, 'provider');
  });

  it("records the 429 in Google's error shape", async () => {
    const config = {
      httpOptions: { headers: { 'x-auditgate-simulate': 'google-429-retry-info' } },
    };
    await assert.rejects(
      client.models.generateContent({ model: MODEL, contents: QUESTION, config }),
      (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.status, 429);
        assert.match(error.message, /RESOURCE_EXHAUSTED/);
        return true;
      },
    );

    // The SDK throws away the response headers of an error, so the event is found by listing.
    await gateway.flush();
    const listed = await gateway.api('/api/v1/events?provider=gemini&limit=1');
    const event = (listed.body as { events: AuditEvent[] }).events[0];
    assert.ok(event);
    assert.deepEqual(
      [event.kind, event.request?.endpoint, event.response?.httpStatus, event.outcome.status],
      ['llm.call', 'generate_content', 429, 'upstream_error'],
    );
    assert.deepEqual(event.response?.error, RATE_LIMITED);
    assert.equal(event.usage?.source, 'missing');
  });

  it('records a stream sent as a JSON array (no alt=sse), as REST callers get it', async () => {
    const response = await fetch(
      `${gateway.url}/gemini/v1beta/models/${MODEL}:streamGenerateContent`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-goog-api-key': 'gemini-test-key' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: QUESTION }] }] }),
      },
    );
    assert.equal(response.headers.get('content-type'), 'application/json');
    const chunks = (await response.json()) as unknown[];
    assert.deepEqual(
      chunks,
      chunkLines('google/google-text.chunks.txt').map((line) => JSON.parse(line)),
    );

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.deepEqual(
      [event.kind, event.request?.stream, event.outcome.status],
      ['llm.call', true, 'ok'],
    );
    assert.equal(event.response?.id, 'bH6LaZW8Fp_3nsEPqtaSwQ4');
    assert.equal(outputText(event), STREAMED_ANSWER);
    assert.equal(event.response?.finishReason, 'stop');
    assert.deepEqual(usageOf(event), [9, 208, null, 185]);
    assert.equal(event.usage?.source, 'provider');
    // Read as a stream as it passed, not as a body after it ended: its first token is timed.
    assert.equal(typeof event.timing.ttftMs, 'number');
  });
});
