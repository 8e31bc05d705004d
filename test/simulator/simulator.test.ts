import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { recordingManifest, recordingName } from '../../src/simulator/recordings.js';

const recordedDirectory = fileURLToPath(new URL('../fixtures/recorded/', import.meta.url));

type Family = 'openai' | 'anthropic';
type Headers = Record<string, string>;

function recorded(file: string): string {
  return readFileSync(join(recordedDirectory, file), 'utf8');
}

function recordedLines(file: string): string[] {
  return recorded(file)
    .split('\n')
    .filter((line) => line.trim() !== '');
}

// Rebuilt here from the README's framing rules, independently of src/simulator/replay.ts.
function expectedStream(file: string, family: Family): string {
  const frames = recordedLines(file).map((line) => {
    if (family === 'openai') return `data: ${line}\n\n`;
    const { type } = JSON.parse(line) as { type: string };
    return `event: ${type}\ndata: ${line}\n\n`;
  });
  return frames.join('') + (family === 'openai' ? 'data: [DONE]\n\n' : '');
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

  async function assertStream(response: Response, file: string, family: Family): Promise<void> {
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    assert.equal(await response.text(), expectedStream(file, family));
  }

  describe('default choice, OpenAI chat', () => {
    const path = '/v1/chat/completions';

    test('text, whole and streamed', async () => {
      await assertWhole(await post(path, openaiBody()), 'openai-chat/openai-text.json');
      const streamed = await post(path, openaiBody({ stream: true }));
      await assertStream(streamed, 'openai-chat/openai-text.chunks.txt', 'openai');
    });

    test('a request offering tools gets the deepseek tool call', async () => {
      const tools = [weatherTool];
      const whole = await post(path, openaiBody({ tools }));
      await assertWhole(whole, 'deepseek-chat/deepseek-tool-call.json');
      const streamed = await post(path, openaiBody({ tools, stream: true }));
      await assertStream(streamed, 'deepseek-chat/deepseek-tool-call.chunks.txt', 'openai');
    });

    test('a tool result as last message gets text, ending the loop', async () => {
      const fields = { tools: [weatherTool], messages: openaiToolLoop };
      await assertWhole(await post(path, openaiBody(fields)), 'openai-chat/openai-text.json');
      const streamed = await post(path, openaiBody({ ...fields, stream: true }));
      await assertStream(streamed, 'openai-chat/openai-text.chunks.txt', 'openai');
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
      await assertStream(streamed, 'anthropic/anthropic-text.chunks.txt', 'anthropic');
    });

    test('a request offering tools gets the json tool call', async () => {
      const tools = [jsonTool];
      const whole = await post(path, anthropicBody({ tools }));
      await assertWhole(whole, 'anthropic/anthropic-json-tool.1.json');
      const streamed = await post(path, anthropicBody({ tools, stream: true }));
      await assertStream(streamed, 'anthropic/anthropic-json-tool.1.chunks.txt', 'anthropic');
    });

    test('a user message holding a tool_result gets text, ending the loop', async () => {
      const fields = { tools: [jsonTool], messages: anthropicToolLoop };
      await assertWhole(await post(path, anthropicBody(fields)), 'anthropic/anthropic-text.json');
      const streamed = await post(path, anthropicBody({ ...fields, stream: true }));
      await assertStream(streamed, 'anthropic/anthropic-text.chunks.txt', 'anthropic');
    });
  });

  describe('choice by x-auditgate-simulate', () => {
    test('names a recording in either form', async () => {
      const headers = { 'x-auditgate-simulate': 'anthropic-clear-thinking.1' };
      const whole = await post('/v1/messages', anthropicBody(), headers);
      await assertWhole(whole, 'anthropic/anthropic-clear-thinking.1.json');
      const streamed = await post('/v1/messages', anthropicBody({ stream: true }), headers);
      await assertStream(streamed, 'anthropic/anthropic-clear-thinking.1.chunks.txt', 'anthropic');
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
      await assertStream(openai, 'openai-chat/azure-model-router.1.chunks.txt', 'openai');
      const refusal = { 'x-auditgate-simulate': 'anthropic-refusal' };
      const anthropic = await post('/v1/messages', anthropicBody({ stream: true }), refusal);
      await assertStream(anthropic, 'anthropic/anthropic-refusal.chunks.txt', 'anthropic');
      const expected = expectedStream('anthropic/anthropic-refusal.chunks.txt', 'anthropic');
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
      await assertStream(response, file, 'anthropic');
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

    test('an unknown path is a 404 in the OpenAI shape', async () => {
      for (const response of [
        await post('/v1/embeddings', {}),
        await fetch(`${simulator.url}/v1/messages`),
      ]) {
        assert.equal(response.status, 404);
        const body = (await response.json()) as { error: { type: string; message: string } };
        assert.equal(body.error.type, 'invalid_request_error');
        assert.match(body.error.message, /unknown path/);
        assert.ok(response.headers.get('x-request-id')?.startsWith('req_'));
      }
    });

    test('a body that is not JSON is a 400 in the provider shape', async () => {
      const response = await post('/v1/messages', '{"model":');
      assert.equal(response.status, 400);
      const body = (await response.json()) as { type: string; error: { message: string } };
      assert.equal(body.type, 'error');
      assert.equal(body.error.message, 'request body is not valid json');
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
    assert.equal(text, expectedStream('anthropic/anthropic-text.chunks.txt', 'anthropic'));
    const first = arrivals[0] ?? Infinity;
    const last = arrivals.at(-1) ?? 0;
    assert.ok(first >= 55, `first event after the first-chunk delay, got ${first} ms`);
    assert.ok(last - first >= 150, `first event ${first} ms, last ${last} ms`);
    assert.ok(arrivals.length >= 6, `expected separate arrivals, got ${arrivals.length}`);
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
      assert.equal(entry.kind === 'error', entry.status >= 400, entry.file);
    }
    const statuses = Object.fromEntries(
      recordingManifest
        .filter((entry) => entry.kind === 'error')
        .map((entry) => [recordingName(entry.file), entry.status]),
    );
    assert.deepEqual(statuses, {
      'reasoning-model-legacy-parameter-error': 400,
      'openai-rate-limit-error.derived': 429,
      'anthropic-overloaded-error.derived': 529,
    });
  });
});
