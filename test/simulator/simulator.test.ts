import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';

import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { loadRecordings, recordingManifest } from '../../src/simulator/recordings.js';
import type { SimulatedEndpoint } from '../../src/simulator/recordings.js';
import { defaultRecordings } from '../../src/simulator/select.js';

const recordedDirectory = fileURLToPath(new URL('../fixtures/recorded/', import.meta.url));

/** The wire framings of the README, one per kind of stream. */
type Framing = 'openai-chat' | 'typed' | 'gemini-sse' | 'gemini-array';
type Headers = Record<string, string>;
type GoogleError = { error: { code: number; message: string; status: string } };

function recorded(file: string): string {
  return readFileSync(join(recordedDirectory, file), 'utf8');
}

function recordedLines(file: string): string[] {
  return recorded(file)
    .split('\n')
    .filter((line) => line.trim() !== '');
}

// Rebuilt here from the README's framing rules, independently of src/simulator/replay.ts.
function expectedStream(file: string, framing: Framing): string {
  const lines = recordedLines(file);
  switch (framing) {
    case 'openai-chat':
      return lines.map((line) => `data: ${line}\n\n`).join('') + 'data: [DONE]\n\n';
    case 'typed':
      return lines
        .map((line) => `event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`)
        .join('');
    case 'gemini-sse':
      return lines.map((line) => `data: ${line}\r\n\r\n`).join('');
    case 'gemini-array':
      return `[${lines.join(',\r\n')}]`;
  }
}

function openaiText(): string {
  const body = JSON.parse(recorded('openai-chat/openai-text.json')) as {
    choices: { message: { content: string } }[];
  };
  return body.choices[0]?.message.content ?? '';
}

// The text a client assembles from a recorded stream's deltas.
function streamedText(file: string): string {
  type Delta = { content?: string | null; text?: string };
  type Event = { choices?: { delta?: Delta }[]; delta?: Delta };
  return recordedLines(file)
    .map((line) => JSON.parse(line) as Event)
    .map((event) => event.choices?.[0]?.delta?.content ?? event.delta?.text ?? '')
    .join('');
}

function responsesText(file: string): string {
  type Item = { type: string; content?: { type: string; text?: string }[] };
  const body = JSON.parse(recorded(`openai-responses/${file}`)) as { output: Item[] };
  const parts = body.output.flatMap((item) =>
    item.type === 'message' ? (item.content ?? []) : [],
  );
  return parts.map((part) => (part.type === 'output_text' ? (part.text ?? '') : '')).join('');
}

function geminiText(file: string): string {
  type Body = { candidates: { content: { parts: { text?: string }[] } }[] };
  const body = JSON.parse(recorded(file)) as Body;
  return (body.candidates[0]?.content.parts ?? []).map((part) => part.text ?? '').join('');
}

function anthropicText(): string {
  const body = JSON.parse(recorded('anthropic/anthropic-text.json')) as {
    content: { text: string }[];
  };
  return body.content[0]?.text ?? '';
}

const weatherTool = {
  type: 'function',
  function: { name: 'weather', parameters: { type: 'object', properties: {} } },
};
const jsonTool = { name: 'json', input_schema: { type: 'object', properties: {} } };

function openaiBody(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hello' }], ...fields };
}

function anthropicBody(fields: Record<string, unknown> = {}): Record<string, unknown> {
  const messages = [{ role: 'user', content: 'Hello' }];
  return { model: 'claude-sonnet-4-5', max_tokens: 256, messages, ...fields };
}

const openaiToolLoop = [
  { role: 'user', content: 'Weather in San Francisco?' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [
      {
        id: 'call_1',
        type: 'function',
        function: { name: 'weather', arguments: '{"location":"San Francisco"}' },
      },
    ],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":18}' },
];

const anthropicToolLoop = [
  { role: 'user', content: 'Weather as json?' },
  { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'json', input: {} }] },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{}' }] },
];

const responsesWeatherTool = {
  type: 'function',
  name: 'weather',
  parameters: { type: 'object', properties: { location: { type: 'string' } } },
};

function responsesBody(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-5-mini', input: 'Hello', ...fields };
}

const responsesToolLoop = [
  { role: 'user', content: 'Weather in San Francisco?' },
  {
    type: 'function_call',
    call_id: 'call_1',
    name: 'weather',
    arguments: '{"location":"San Francisco"}',
  },
  { type: 'function_call_output', call_id: 'call_1', output: '{"temperature":18}' },
];

const geminiWeatherTool = {
  functionDeclarations: [{ name: 'weather', parameters: { type: 'OBJECT', properties: {} } }],
};

function geminiBody(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { contents: [{ role: 'user', parts: [{ text: 'Hello' }] }], ...fields };
}

const geminiToolLoop = [
  { role: 'user', parts: [{ text: 'Weather in San Francisco?' }] },
  { role: 'model', parts: [{ functionCall: { name: 'weather', args: { location: 'SF' } } }] },
  {
    role: 'user',
    parts: [{ functionResponse: { name: 'weather', response: { temperature: 18 } } }],
  },
];

const geminiModel = '/v1beta/models/gemini-3-pro-preview';
const generatePath = `${geminiModel}:generateContent`;
const streamSsePath = `${geminiModel}:streamGenerateContent?alt=sse`;
const streamArrayPath = `${geminiModel}:streamGenerateContent`;

describe('provider simulator', () => {
  let simulator: Simulator;

  before(async () => {
    simulator = await startSimulator({ chunkDelayMs: 0, firstChunkDelayMs: 0 });
  });

  after(async () => {
    await simulator.close();
  });

  async function post(path: string, body: unknown, headers: Headers = {}): Promise<Response> {
    return fetch(simulator.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function assertWhole(response: Response, file: string, status = 200): Promise<void> {
    assert.equal(response.status, status);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(await response.text(), recorded(file));
  }

  async function assertStream(response: Response, file: string, framing: Framing): Promise<void> {
    assert.equal(response.status, 200);
    const contentType = framing === 'gemini-array' ? 'application/json' : 'text/event-stream';
    assert.equal(response.headers.get('content-type'), contentType);
    assert.equal(await response.text(), expectedStream(file, framing));
  }

  describe('default choice, OpenAI chat', () => {
    const path = '/v1/chat/completions';

    test('text, whole and streamed', async () => {
      await assertWhole(await post(path, openaiBody()), 'openai-chat/openai-text.json');
      const streamed = await post(path, openaiBody({ stream: true }));
      await assertStream(streamed, 'openai-chat/openai-text.chunks.txt', 'openai-chat');
    });

    test('a request offering tools gets the deepseek tool call', async () => {
      const tools = [weatherTool];
      const whole = await post(path, openaiBody({ tools }));
      await assertWhole(whole, 'deepseek-chat/deepseek-tool-call.json');
      const streamed = await post(path, openaiBody({ tools, stream: true }));
      await assertStream(streamed, 'deepseek-chat/deepseek-tool-call.chunks.txt', 'openai-chat');
    });

    test('a tool result as last message gets text, ending the loop', async () => {
      const fields = { tools: [weatherTool], messages: openaiToolLoop };
      await assertWhole(await post(path, openaiBody(fields)), 'openai-chat/openai-text.json');
      const streamed = await post(path, openaiBody({ ...fields, stream: true }));
      await assertStream(streamed, 'openai-chat/openai-text.chunks.txt', 'openai-chat');
    });

    test('an empty tools list is no tool offer', async () => {
      const response = await post(path, openaiBody({ tools: [] }));
      await assertWhole(response, 'openai-chat/openai-text.json');
    });
  });

  describe('default choice, Anthropic messages', () => {
    const path = '/v1/messages';

    test('text, whole and streamed', async () => {
      await assertWhole(await post(path, anthropicBody()), 'anthropic/anthropic-text.json');
      const streamed = await post(path, anthropicBody({ stream: true }));
      await assertStream(streamed, 'anthropic/anthropic-text.chunks.txt', 'typed');
    });

    test('a request offering tools gets the json tool call', async () => {
      const tools = [jsonTool];
      const whole = await post(path, anthropicBody({ tools }));
      await assertWhole(whole, 'anthropic/anthropic-json-tool.1.json');
      const streamed = await post(path, anthropicBody({ tools, stream: true }));
      await assertStream(streamed, 'anthropic/anthropic-json-tool.1.chunks.txt', 'typed');
    });

    test('a user message holding a tool_result gets text, ending the loop', async () => {
      const fields = { tools: [jsonTool], messages: anthropicToolLoop };
      await assertWhole(await post(path, anthropicBody(fields)), 'anthropic/anthropic-text.json');
      const streamed = await post(path, anthropicBody({ ...fields, stream: true }));
      await assertStream(streamed, 'anthropic/anthropic-text.chunks.txt', 'typed');
    });
  });

  describe('choice by x-auditgate-simulate', () => {
    test('names a recording in either form', async () => {
      const headers = { 'x-auditgate-simulate': 'anthropic-clear-thinking.1' };
      const whole = await post('/v1/messages', anthropicBody(), headers);
      await assertWhole(whole, 'anthropic/anthropic-clear-thinking.1.json');
      const streamed = await post('/v1/messages', anthropicBody({ stream: true }), headers);
      await assertStream(streamed, 'anthropic/anthropic-clear-thinking.1.chunks.txt', 'typed');
    });

    test('overrides the tool rule', async () => {
      const headers = { 'x-auditgate-simulate': 'openai-text' };
      const body = openaiBody({ tools: [weatherTool] });
      const response = await post('/v1/chat/completions', body, headers);
      await assertWhole(response, 'openai-chat/openai-text.json');
    });

    test('a short recording streams byte-exact in each framing', async () => {
      const azure = { 'x-auditgate-simulate': 'azure-model-router.1' };
      const openai = await post('/v1/chat/completions', openaiBody({ stream: true }), azure);
      await assertStream(openai, 'openai-chat/azure-model-router.1.chunks.txt', 'openai-chat');
      const refusal = { 'x-auditgate-simulate': 'anthropic-refusal' };
      const anthropic = await post('/v1/messages', anthropicBody({ stream: true }), refusal);
      await assertStream(anthropic, 'anthropic/anthropic-refusal.chunks.txt', 'typed');
      const expected = expectedStream('anthropic/anthropic-refusal.chunks.txt', 'typed');
      assert.ok(expected.startsWith('event: message_start\ndata: {"type":"message_start"'));
    });

    test('a stream-only recording refuses a non-stream request with 400', async () => {
      const headers = { 'x-auditgate-simulate': 'mistral-incremental-tool-call' };
      const response = await post('/v1/chat/completions', openaiBody(), headers);
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { message: string; type: string } };
      assert.equal(body.error.type, 'invalid_request_error');
      assert.match(body.error.message, /'mistral-incremental-tool-call' has no non-streaming form/);
    });

    test('an unknown name is a 400 in the provider shape, without echoing long input', async () => {
      const long = { 'x-auditgate-simulate': `no-such-${'x'.repeat(500)}` };
      const anthropic = await post('/v1/messages', anthropicBody(), long);
      assert.equal(anthropic.status, 400);
      const body = (await anthropic.json()) as { type: string; error: { message: string } };
      assert.equal(body.type, 'error');
      assert.match(body.error.message, /x-auditgate-simulate names no known recording/);
      assert.ok(!body.error.message.includes('xxxxxxxxxx'));

      const short = { 'x-auditgate-simulate': 'no-such-recording' };
      const openai = await post('/v1/chat/completions', openaiBody(), short);
      assert.equal(openai.status, 400);
      const openaiError = (await openai.json()) as { error: { message: string } };
      assert.match(openaiError.error.message, /got 'no-such-recording'/);
    });

    test('a recording of the other provider is a 400', async () => {
      const headers = { 'x-auditgate-simulate': 'anthropic-text' };
      const response = await post('/v1/chat/completions', openaiBody(), headers);
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { message: string } };
      assert.match(body.error.message, /answers \/v1\/messages/);
    });

    test('the derived cache recording changes only the cache reads of anthropic-text', async () => {
      const headers = { 'x-auditgate-simulate': 'anthropic-text-cache.derived' };
      const response = await post('/v1/messages', anthropicBody({ stream: true }), headers);
      const file = 'anthropic/anthropic-text-cache.derived.chunks.txt';
      await assertStream(response, file, 'typed');
      const original = recorded('anthropic/anthropic-text.chunks.txt');
      assert.equal(
        recorded(file).replaceAll('"cache_read_input_tokens":2048', '"cache_read_input_tokens":0'),
        original,
      );
      assert.equal(recorded(file).split('"cache_read_input_tokens":2048').length, 3);
    });
  });

  describe('errors', () => {
    test('the recorded OpenAI 400', async () => {
      const headers = { 'x-auditgate-simulate': 'reasoning-model-legacy-parameter-error' };
      const response = await post('/v1/chat/completions', openaiBody(), headers);
      await assertWhole(response, 'openai-chat/reasoning-model-legacy-parameter-error.json', 400);
    });

    test('the derived OpenAI 429 answers streaming requests too', async () => {
      const headers = { 'x-auditgate-simulate': 'openai-rate-limit-error.derived' };
      const response = await post('/v1/chat/completions', openaiBody({ stream: true }), headers);
      await assertWhole(response, 'openai-chat/openai-rate-limit-error.derived.json', 429);
    });

    test('the derived Anthropic 529', async () => {
      const headers = { 'x-auditgate-simulate': 'anthropic-overloaded-error.derived' };
      const response = await post('/v1/messages', anthropicBody(), headers);
      assert.ok(response.headers.get('request-id')?.startsWith('req_'));
      const expected = {
        type: 'error',
        error: { type: 'overloaded_error', message: 'Overloaded' },
      };
      assert.deepEqual(
        JSON.parse(recorded('anthropic/anthropic-overloaded-error.derived.json')),
        expected,
      );
      await assertWhole(response, 'anthropic/anthropic-overloaded-error.derived.json', 529);
    });

    test('an unknown path is a 404 in the shape of the provider it looks like', async () => {
      for (const response of [
        await post('/v1/completions', {}),
        await fetch(`${simulator.url}/v1/responses`),
      ]) {
        assert.equal(response.status, 404);
        const body = (await response.json()) as { error: { type: string; message: string } };
        assert.equal(body.error.type, 'invalid_request_error');
        assert.match(body.error.message, /unknown path/);
        assert.ok(response.headers.get('x-request-id')?.startsWith('req_'));
      }

      const anthropic = await fetch(`${simulator.url}/v1/messages`);
      assert.equal(anthropic.status, 404);
      assert.ok(anthropic.headers.get('request-id')?.startsWith('req_'));
      const anthropicBody = (await anthropic.json()) as { type: string; error: { type: string } };
      assert.deepEqual(
        [anthropicBody.type, anthropicBody.error.type],
        ['error', 'invalid_request_error'],
      );

      const gemini = await post('/v1beta/models/gemini-3-pro-preview:countTokens', {});
      assert.equal(gemini.status, 404);
      const geminiBody = (await gemini.json()) as GoogleError;
      assert.deepEqual([geminiBody.error.code, geminiBody.error.status], [404, 'NOT_FOUND']);
      assert.match(geminiBody.error.message, /unknown path/);
    });

    test('a body that is not JSON is a 400 in the provider shape', async () => {
      const response = await post('/v1/messages', '{"model":');
      assert.equal(response.status, 400);
      const body = (await response.json()) as { type: string; error: { message: string } };
      assert.equal(body.type, 'error');
      assert.equal(body.error.message, 'request body is not valid json');
    });
  });

  describe('default choice, OpenAI Responses', () => {
    const path = '/v1/responses';

    test('text: reasoning then text whole, the file search answer streamed', async () => {
      const whole = await post(path, responsesBody());
      await assertWhole(whole, 'openai-responses/openai-reasoning-encrypted-content.1.json');
      const streamed = await post(path, responsesBody({ stream: true }));
      await assertStream(
        streamed,
        'openai-responses/openai-file-search-tool.1.chunks.txt',
        'typed',
      );
    });

    test('function tools get the parallel function call, streamed from its repair', async () => {
      const tools = [responsesWeatherTool];
      const whole = await post(path, responsesBody({ tools }));
      await assertWhole(whole, 'openai-responses/parallel-tool-call-wrapper.1.json');
      const streamed = await post(path, responsesBody({ tools, stream: true }));
      const file = 'openai-responses/parallel-tool-call-wrapper.1.derived.chunks.txt';
      await assertStream(streamed, file, 'typed');
    });

    test('a function_call_output as last input item gets text, ending the loop', async () => {
      const fields = { tools: [responsesWeatherTool], input: responsesToolLoop };
      const whole = await post(path, responsesBody(fields));
      await assertWhole(whole, 'openai-responses/openai-reasoning-encrypted-content.1.json');
      const streamed = await post(path, responsesBody({ ...fields, stream: true }));
      await assertStream(
        streamed,
        'openai-responses/openai-file-search-tool.1.chunks.txt',
        'typed',
      );
    });

    test('built-in tools alone are no function tool offer', async () => {
      const tools = [{ type: 'file_search', vector_store_ids: ['vs_1'] }, { type: 'web_search' }];
      const response = await post(path, responsesBody({ tools }));
      await assertWhole(response, 'openai-responses/openai-reasoning-encrypted-content.1.json');
    });

    test('a short stream is framed byte-exact, one typed event per line', async () => {
      const headers = { 'x-auditgate-simulate': 'openai-custom-tool.1' };
      const response = await post(path, responsesBody({ stream: true }), headers);
      const file = 'openai-responses/openai-custom-tool.1.chunks.txt';
      assert.ok(response.headers.get('x-request-id')?.startsWith('req_'));
      await assertStream(response, file, 'typed');
      const expected = expectedStream(file, 'typed');
      assert.ok(expected.startsWith('event: response.created\ndata: {"type":"response.created"'));
      assert.ok(expected.endsWith('"metadata":{}}}\n\n'));
      assert.ok(!expected.includes('[DONE]'));
    });

    test('the quota error: a 429 body whole, an error event in a 200 stream', async () => {
      const headers = { 'x-auditgate-simulate': 'openai-error.1' };
      const whole = await post(path, responsesBody(), headers);
      await assertWhole(whole, 'openai-responses/openai-error.1.json', 429);
      const streamed = await post(path, responsesBody({ stream: true }), headers);
      await assertStream(streamed, 'openai-responses/openai-error.1.chunks.txt', 'typed');
    });

    test('the recorded tool loop stream and the repaired recording answer by name', async () => {
      const loop = { 'x-auditgate-simulate': 'openai-reasoning-encrypted-content.1' };
      const streamed = await post(path, responsesBody({ stream: true }), loop);
      const file = 'openai-responses/openai-reasoning-encrypted-content.1.chunks.txt';
      await assertStream(streamed, file, 'typed');
      assert.equal(expectedStream(file, 'typed').split('event: response.completed\n').length, 5);

      const broken = { 'x-auditgate-simulate': 'parallel-tool-call-wrapper.1' };
      const refused = await post(path, responsesBody({ stream: true }), broken);
      assert.equal(refused.status, 400);
      const body = (await refused.json()) as { error: { message: string } };
      assert.match(body.error.message, /has no streaming form: set stream to false/);
    });

    test('a recording of chat completions is a 400', async () => {
      const headers = { 'x-auditgate-simulate': 'openai-text' };
      const response = await post(path, responsesBody(), headers);
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { message: string } };
      assert.match(body.error.message, /answers \/v1\/chat\/completions, not \/v1\/responses/);
    });
  });

  describe('OpenAI embeddings', () => {
    test('answers the recorded embeddings whole, as float lists by default', async () => {
      const body = { model: 'text-embedding-3-small', input: ['sunny day', 'rainy night'] };
      const response = await post('/v1/embeddings', body);
      await assertWhole(response, 'openai-embedding/openai-embedding.json');
    });

    test('asked for base64, each recorded vector comes as base64 float32', async () => {
      const body = {
        model: 'text-embedding-3-small',
        input: ['a', 'b'],
        encoding_format: 'base64',
      };
      const response = await post('/v1/embeddings', body);
      assert.equal(response.status, 200);
      type Embeddings = { data: { index: number; embedding: unknown }[]; usage: unknown };
      const answered = (await response.json()) as Embeddings;
      const recordedBody = JSON.parse(recorded('openai-embedding/openai-embedding.json')) as {
        data: { index: number; embedding: number[] }[];
        usage: unknown;
      };
      assert.equal(answered.data.length, 2);
      for (const [index, item] of answered.data.entries()) {
        assert.equal(typeof item.embedding, 'string');
        const bytes = Buffer.from(item.embedding as string, 'base64');
        const floats = Array.from({ length: bytes.length / 4 }, (_, at) =>
          bytes.readFloatLE(at * 4),
        );
        const expected = recordedBody.data[index]?.embedding.map((value) => Math.fround(value));
        assert.deepEqual(floats, expected);
        assert.equal(item.index, index);
      }
      assert.deepEqual(answered.usage, recordedBody.usage);
    });

    test('tools in the body change nothing', async () => {
      const body = { model: 'text-embedding-3-small', input: 'x', tools: [weatherTool] };
      await assertWhole(
        await post('/v1/embeddings', body),
        'openai-embedding/openai-embedding.json',
      );
    });
  });

  describe('default choice, Gemini', () => {
    test('text: whole, streamed as SSE and as a JSON array', async () => {
      await assertWhole(await post(generatePath, geminiBody()), 'google/google-text.json');
      const sse = await post(streamSsePath, geminiBody());
      await assertStream(sse, 'google/google-text.chunks.txt', 'gemini-sse');
      const array = await post(streamArrayPath, geminiBody());
      await assertStream(array, 'google/google-text.chunks.txt', 'gemini-array');
    });

    test('the JSON array form parses as the array of recorded chunks', async () => {
      const response = await post(`${geminiModel}:streamGenerateContent?alt=json`, geminiBody());
      const chunks = recordedLines('google/google-text.chunks.txt').map((line) => JSON.parse(line));
      assert.deepEqual(await response.json(), chunks);
    });

    test('functionDeclarations get the tool call, byte-exact in both framings', async () => {
      const tools = [geminiWeatherTool];
      await assertWhole(
        await post(generatePath, geminiBody({ tools })),
        'google/google-tool-call.json',
      );
      const sse = await post(streamSsePath, geminiBody({ tools }));
      await assertStream(sse, 'google/google-tool-call.chunks.txt', 'gemini-sse');
      const expected = expectedStream('google/google-tool-call.chunks.txt', 'gemini-sse');
      assert.ok(expected.startsWith('data: {"candidates":[{"content":{"parts":[{"functionCall"'));
      assert.equal(expected.split('\r\n\r\n').length, 3);
      const array = await post(streamArrayPath, geminiBody({ tools }));
      await assertStream(array, 'google/google-tool-call.chunks.txt', 'gemini-array');
    });

    test('a functionResponse in the last content gets text, ending the loop', async () => {
      const fields = { tools: [geminiWeatherTool], contents: geminiToolLoop };
      await assertWhole(await post(generatePath, geminiBody(fields)), 'google/google-text.json');
      const sse = await post(streamSsePath, geminiBody(fields));
      await assertStream(sse, 'google/google-text.chunks.txt', 'gemini-sse');
    });

    test('tools without functionDeclarations are no tool offer', async () => {
      const tools = [{ googleSearch: {} }, { functionDeclarations: [] }];
      await assertWhole(await post(generatePath, geminiBody({ tools })), 'google/google-text.json');
    });

    test('the stream is named by the path: a body stream field changes nothing', async () => {
      const whole = await post(generatePath, geminiBody({ stream: true }));
      await assertWhole(whole, 'google/google-text.json');
      const v1 = await post('/v1/models/gemini-2.5-flash:generateContent', geminiBody());
      await assertWhole(v1, 'google/google-text.json');
    });

    test("the 429 answers both methods whole, in Google's shape", async () => {
      const headers = { 'x-auditgate-simulate': 'google-429-retry-info' };
      for (const path of [generatePath, streamSsePath, streamArrayPath]) {
        const response = await post(path, geminiBody(), headers);
        await assertWhole(response, 'google/google-429-retry-info.json', 429);
      }
    });

    test("errors of the simulator itself come in Google's shape", async () => {
      const unknown = await post(generatePath, geminiBody(), { 'x-auditgate-simulate': 'nope' });
      assert.equal(unknown.status, 400);
      const unknownBody = (await unknown.json()) as GoogleError;
      assert.deepEqual(
        [unknownBody.error.code, unknownBody.error.status],
        [400, 'INVALID_ARGUMENT'],
      );
      assert.match(unknownBody.error.message, /names no known recording: got 'nope'/);

      const other = await post(generatePath, geminiBody(), {
        'x-auditgate-simulate': 'openai-text',
      });
      const otherBody = (await other.json()) as GoogleError;
      assert.match(otherBody.error.message, /answers \/v1\/chat\/completions/);

      const invalid = await post(generatePath, '{"contents":');
      assert.equal(invalid.status, 400);
      const invalidBody = (await invalid.json()) as GoogleError;
      assert.equal(invalidBody.error.message, 'request body is not valid json');
      assert.equal(invalid.headers.get('x-request-id'), null);
    });
  });

  describe('official SDKs as callers', () => {
    function openaiClient(): OpenAI {
      return new OpenAI({ apiKey: 'sk-test', baseURL: `${simulator.url}/v1`, maxRetries: 0 });
    }

    function anthropicClient(): Anthropic {
      return new Anthropic({ apiKey: 'sk-ant-test', baseURL: simulator.url, maxRetries: 0 });
    }

    test('openai reads the recorded model and text, whole and streamed', async () => {
      const client = openaiClient();
      const request = {
        model: 'gpt-4.1-nano',
        messages: [{ role: 'user' as const, content: 'Hi' }],
      };
      const completion = await client.chat.completions.create(request);
      assert.equal(completion.model, 'gpt-4.1-nano-2025-04-14');
      assert.equal(completion.choices[0]?.message.content, openaiText());
      assert.match(completion._request_id ?? '', /^req_[0-9a-f]{32}$/);

      let text = '';
      const stream = await client.chat.completions.create({ ...request, stream: true });
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      assert.equal(text, streamedText('openai-chat/openai-text.chunks.txt'));
      assert.ok(text.length > 100);
    });

    test('openai reads the tool call and the rate-limit error', async () => {
      const client = openaiClient();
      const completion = await client.chat.completions.create({
        model: 'deepseek-reasoner',
        messages: [{ role: 'user', content: 'Weather in San Francisco?' }],
        tools: [{ type: 'function', function: { name: 'weather', parameters: {} } }],
      });
      const call = completion.choices[0]?.message.tool_calls?.[0];
      assert.equal(call?.type === 'function' ? call.function.name : undefined, 'weather');

      const headers = { 'x-auditgate-simulate': 'openai-rate-limit-error.derived' };
      const failing = client.chat.completions.create(
        { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] },
        { headers },
      );
      await assert.rejects(failing, (error: unknown) => {
        assert.ok(error instanceof OpenAI.RateLimitError);
        assert.equal(error.code, 'rate_limit_exceeded');
        return true;
      });
    });

    test('anthropic reads the recorded model and text, whole and streamed', async () => {
      const client = anthropicClient();
      const request = {
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        messages: [{ role: 'user' as const, content: 'Hi' }],
      };
      const message = await client.messages.create(request);
      assert.equal(message.model, 'claude-sonnet-4-5-20250929');
      const first = message.content[0];
      assert.equal(first?.type === 'text' ? first.text : undefined, anthropicText());
      assert.match(message._request_id ?? '', /^req_/);

      const streamed = await client.messages.stream(request).finalMessage();
      assert.equal(streamed.model, 'claude-sonnet-4-5-20250929');
      const block = streamed.content[0];
      const expected = streamedText('anthropic/anthropic-text.chunks.txt');
      assert.equal(block?.type === 'text' ? block.text : undefined, expected);
    });

    test('anthropic reads the overloaded error', async () => {
      const headers = { 'x-auditgate-simulate': 'anthropic-overloaded-error.derived' };
      const request = {
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        messages: [{ role: 'user' as const, content: 'Hi' }],
      };
      await assert.rejects(anthropicClient().messages.create(request, { headers }), (error) => {
        assert.ok(error instanceof Anthropic.APIError);
        assert.equal(error.status, 529);
        assert.deepEqual(error.error, {
          type: 'error',
          error: { type: 'overloaded_error', message: 'Overloaded' },
        });
        return true;
      });
    });

    test('openai reads Responses text whole and streamed, and an error in a stream', async () => {
      const client = openaiClient();
      const whole = await client.responses.create({ model: 'gpt-5-mini', input: 'Hi' });
      assert.equal(whole.output_text, responsesText('openai-reasoning-encrypted-content.1.json'));

      const stream = await client.responses.create({
        model: 'gpt-5-mini',
        input: 'Hi',
        stream: true,
      });
      let text = '';
      for await (const event of stream) {
        if (event.type === 'response.output_text.delta') text += event.delta;
      }
      assert.match(text, /^According to the document, an embedding model converts/);

      const headers = { 'x-auditgate-simulate': 'openai-error.1' };
      const failing = async () => {
        const request = { model: 'gpt-5-nano', input: 'Hi', stream: true as const };
        for await (const event of await client.responses.create(request, { headers })) void event;
      };
      await assert.rejects(failing, (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError);
        assert.equal(error.code, 'insufficient_quota');
        return true;
      });
    });

    test('google genai reads text whole and streamed, and the 429', async () => {
      const client = new GoogleGenAI({
        apiKey: 'google-test',
        httpOptions: { baseUrl: simulator.url },
      });
      const request = { model: 'gemini-3-pro-preview', contents: 'How many r in strawberry?' };
      const whole = await client.models.generateContent(request);
      assert.equal(whole.text, geminiText('google/google-text.json'));

      let text = '';
      for await (const chunk of await client.models.generateContentStream(request)) {
        text += chunk.text ?? '';
      }
      assert.equal(text, 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');

      const config = {
        httpOptions: { headers: { 'x-auditgate-simulate': 'google-429-retry-info' } },
      };
      await assert.rejects(client.models.generateContent({ ...request, config }), (error) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.status, 429);
        return true;
      });
    });
  });
});

describe('provider simulator pace', () => {
  let simulator: Simulator;

  before(async () => {
    simulator = await startSimulator({ firstChunkDelayMs: 60, chunkDelayMs: 20 });
  });

  after(async () => {
    await simulator.close();
  });

  test('streamed events arrive one by one', async () => {
    const started = performance.now();
    const response = await fetch(`${simulator.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify(anthropicBody({ stream: true })),
    });
    const arrivals: number[] = [];
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body ?? []) {
      arrivals.push(performance.now() - started);
      text += decoder.decode(chunk, { stream: true });
    }

    // anthropic-text has 11 events, so 10 gaps of 20 ms after the first.
    assert.equal(text, expectedStream('anthropic/anthropic-text.chunks.txt', 'typed'));
    const first = arrivals[0] ?? Infinity;
    const last = arrivals.at(-1) ?? 0;
    assert.ok(first >= 55, `first event after the first-chunk delay, got ${first} ms`);
    assert.ok(last - first >= 150, `first event ${first} ms, last ${last} ms`);
    assert.ok(arrivals.length >= 6, `expected separate arrivals, got ${arrivals.length}`);
  });

  test('a Gemini JSON array stream is written element by element', async () => {
    const path = '/v1beta/models/gemini-3-pro-preview:streamGenerateContent';
    const response = await fetch(simulator.url + path, {
      method: 'POST',
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
    });
    const arrivals: string[] = [];
    const decoder = new TextDecoder();
    for await (const chunk of response.body ?? []) arrivals.push(decoder.decode(chunk));

    // google-text has three chunks: '[' with the first, ',\r\n' before each next, then ']'.
    assert.equal(
      arrivals.join(''),
      expectedStream('google/google-text.chunks.txt', 'gemini-array'),
    );
    assert.ok(arrivals.length >= 3, `expected separate arrivals, got ${arrivals.length}`);
    assert.ok(arrivals[0]?.startsWith('[{"candidates"'));
    assert.equal(arrivals.at(-1)?.endsWith(']'), true);
  });

  test('a whole answer waits the first-chunk delay', async () => {
    const started = performance.now();
    const response = await fetch(`${simulator.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(openaiBody()),
    });
    await response.text();
    assert.ok(performance.now() - started >= 55);
  });

  test('a client that disconnects mid-stream stops the replay quietly', async () => {
    const client = new AbortController();
    const response = await fetch(`${simulator.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(openaiBody({ stream: true })),
      signal: client.signal,
    });
    const reader = response.body?.getReader();
    const first = await reader?.read();
    assert.ok(first?.value && first.value.length > 0);
    client.abort();
    await new Promise((resolve) => setTimeout(resolve, 80));

    // The server keeps answering, and an unhandled error would have failed this file.
    const next = await fetch(`${simulator.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify(anthropicBody()),
    });
    assert.equal(next.status, 200);
    await next.text();
  });
});

describe('recording manifest', () => {
  function filesOnDisk(): string[] {
    return readdirSync(recordedDirectory, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name !== 'README.md')
      .map((entry) => join(entry.parentPath, entry.name).slice(recordedDirectory.length));
  }

  test('lists every recorded file, and only those', () => {
    const listed = recordingManifest.map((entry) => entry.file).sort();
    assert.deepEqual(listed, filesOnDisk().sort());
  });

  test('says stream, status and derived as the files show', () => {
    for (const entry of recordingManifest) {
      assert.equal(entry.stream, entry.file.endsWith('.chunks.txt'), entry.file);
      assert.equal(entry.derived === true, entry.file.includes('.derived.'), entry.file);
      if (entry.status >= 400) assert.equal(entry.kind, 'error', entry.file);
    }
    const statuses = Object.fromEntries(
      recordingManifest
        .filter((entry) => entry.kind === 'error')
        .map((entry) => [entry.file, entry.status]),
    );
    assert.deepEqual(statuses, {
      'openai-chat/reasoning-model-legacy-parameter-error.json': 400,
      'openai-chat/openai-rate-limit-error.derived.json': 429,
      'anthropic/anthropic-overloaded-error.derived.json': 529,
      'openai-responses/openai-error.1.json': 429,
      'openai-responses/openai-error.1.chunks.txt': 200,
      'google/google-429-retry-info.json': 429,
      'amazon-bedrock/amazon-bedrock-throttling.derived.json': 429,
    });
  });

  test('every default is a recording of its endpoint, in each form it is used in', async () => {
    const library = await loadRecordings(recordedDirectory);
    const endpoints = Object.keys(defaultRecordings) as SimulatedEndpoint[];
    for (const endpoint of endpoints) {
      const { answer, toolCall } = defaultRecordings[endpoint];
      for (const [names, kinds] of [
        [answer, ['text', 'embedding']],
        [toolCall, ['tool_call']],
      ] as const) {
        if (!names) continue;
        const whole = library.get(names.whole)?.whole;
        assert.equal(whole?.endpoint, endpoint, names.whole);
        assert.ok(
          kinds.some((kind) => kind === whole?.kind),
          names.whole,
        );
        if (endpoint === 'embeddings') continue;
        const streamed = library.get(names.streamed ?? names.whole)?.streamed;
        assert.equal(streamed?.endpoint, endpoint, names.streamed ?? names.whole);
        assert.ok(
          kinds.some((kind) => kind === streamed?.kind),
          names.streamed,
        );
      }
    }
  });

  test('an error recorded inside a 200 stream has an error event', () => {
    const types = recordedLines('openai-responses/openai-error.1.chunks.txt').map(
      (line) => (JSON.parse(line) as { type: string }).type,
    );
    assert.deepEqual(types, [
      'response.created',
      'response.in_progress',
      'error',
      'response.failed',
    ]);
  });

  test('a broken recording is listed, and its derived repair adds two braces', () => {
    const broken = recordingManifest.filter((entry) => entry.broken !== undefined);
    assert.deepEqual(
      broken.map((entry) => entry.file),
      ['openai-responses/parallel-tool-call-wrapper.1.chunks.txt'],
    );
    const lines = recordedLines('openai-responses/parallel-tool-call-wrapper.1.chunks.txt');
    const unparsable = lines.flatMap((line, index) => (parses(line) ? [] : [index]));
    assert.deepEqual(unparsable, [0, 5]);

    const repaired = recordedLines(
      'openai-responses/parallel-tool-call-wrapper.1.derived.chunks.txt',
    );
    assert.deepEqual(
      repaired,
      lines.map((line, index) => (unparsable.includes(index) ? `${line}}` : line)),
    );
    assert.ok(repaired.every(parses));
  });
});

function parses(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
