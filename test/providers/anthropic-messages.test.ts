import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { describeError, errorBody } from '../../src/providers/anthropic-messages/errors.js';
import { normaliseFinishReason } from '../../src/providers/anthropic-messages/finish-reason.js';
import { messagesApi } from '../../src/providers/anthropic-messages/index.js';
import { anthropicFamily } from '../../src/providers/registry.js';
import { parseRequest } from '../../src/providers/anthropic-messages/request.js';
import { parseResponse } from '../../src/providers/anthropic-messages/response.js';
import { createStreamAssembler } from '../../src/providers/anthropic-messages/stream.js';
import type { ParsedResponse } from '../../src/providers/types.js';
import { anthropicStream, byteByByte, jsonBody, randomChunks, splitAt } from './fixtures.js';

function assemble(chunks: Uint8Array[]): ParsedResponse {
  const assembler = createStreamAssembler();
  for (const chunk of chunks) assembler.write(chunk);
  return assembler.finish();
}

function textOf(response: ParsedResponse): string {
  return (response.output[0]?.parts ?? [])
    .map((part) => (part.type === 'text' ? part.content : ''))
    .join('');
}

/** The bytes of a framed stream up to the end of its `count`-th event. */
function firstEvents(bytes: Buffer, count: number): Buffer {
  let end = 0;
  for (let index = 0; index < count; index += 1) end = bytes.indexOf('\n\n', end) + 2;
  return bytes.subarray(0, end);
}

describe('Anthropic stream: text', () => {
  const bytes = anthropicStream('anthropic/anthropic-text.chunks.txt');

  function assertWhole(response: ParsedResponse): void {
    assert.equal(response.id, 'msg_01QC4g3HwBThD4BaNtBckFDJ');
    assert.equal(response.model, 'claude-sonnet-4-5-20250929');
    assert.equal(
      textOf(response),
      "Hello! I'm doing well, thank you for asking. How are you doing today? " +
        'Is there anything I can help you with?',
    );
    assert.deepEqual(response.finishReasons, ['end_turn']);
    assert.equal(response.finishReason, 'stop');
    // message_start says 1 output token, message_delta 30: the counts are cumulative.
    assert.equal(response.usage.outputTokens, 30);
    assert.equal(response.usage.inputTokens, 12);
    assert.equal(response.usage.cacheReadTokens, 0);
    assert.equal(response.usage.cacheWriteTokens, 0);
    assert.equal(response.usage.reasoningTokens, null);
    assert.equal(response.usage.source, 'provider');
    assert.equal((response.usage.raw as { service_tier: string }).service_tier, 'standard');
    assert.equal((response.usage.raw as { output_tokens: number }).output_tokens, 30);
  }

  it('assembles the stream whole and under random splits', () => {
    assertWhole(assemble([bytes]));
    for (let seed = 1; seed <= 20; seed += 1) assertWhole(assemble(randomChunks(bytes, seed, 32)));
  });

  it('keeps partial text and message_start usage as partial when cut early', () => {
    const response = assemble([firstEvents(bytes, 5)]);
    assert.equal(textOf(response), 'Hello! I');
    assert.equal(response.finishReason, null);
    assert.equal(response.usage.source, 'partial');
    assert.equal(response.usage.inputTokens, 12);
    assert.equal(response.usage.outputTokens, 1);
  });

  it('reports usage missing when cut before message_start ends', () => {
    const response = assemble([bytes.subarray(0, 200)]);
    assert.equal(response.usage.source, 'missing');
    assert.equal(response.usage.inputTokens, null);
    assert.deepEqual(response.output, []);
  });

  it('marks content at the first non-empty text delta', () => {
    const assembler = createStreamAssembler();
    assembler.write(firstEvents(bytes, 3));
    assert.equal(assembler.sawContent, false);
    assembler.write(bytes.subarray(firstEvents(bytes, 3).length, firstEvents(bytes, 4).length));
    assert.equal(assembler.sawContent, true);
  });
});

describe('Anthropic stream: usage in message_delta', () => {
  it('takes the input tokens of message_delta over message_start, at every split point', () => {
    const bytes = anthropicStream('anthropic/anthropic-message-delta-input-tokens.chunks.txt');
    for (let index = 0; index <= bytes.length; index += 1) {
      const response = assemble(splitAt(bytes, index));
      assert.equal(response.usage.inputTokens, 61, `split at ${index}`);
      assert.equal(response.usage.outputTokens, 2);
      assert.equal(textOf(response), 'pong');
    }
    const byteWise = assemble(byteByByte(bytes));
    assert.equal(byteWise.usage.inputTokens, 61);
    assert.equal(byteWise.usage.cacheReadTokens, null);
    assert.equal(byteWise.usage.cacheWriteTokens, null);
    assert.deepEqual(byteWise.usage.raw, { input_tokens: 61, output_tokens: 2 });
  });

  it('keeps a field from message_start that message_delta leaves out', () => {
    const bytes = Buffer.from(
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"m",' +
        '"role":"assistant","content":[],"usage":{"input_tokens":5,"cache_read_input_tokens":100,' +
        '"cache_creation_input_tokens":20,"output_tokens":1}}}\n\n' +
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},' +
        '"usage":{"output_tokens":9}}\n\n',
    );
    const response = assemble([bytes]);
    assert.equal(response.usage.inputTokens, 125, 'input includes cache reads and writes');
    assert.equal(response.usage.cacheReadTokens, 100);
    assert.equal(response.usage.cacheWriteTokens, 20);
    assert.equal(response.usage.outputTokens, 9);
  });
});

describe('Anthropic stream: tools, thinking, refusal, server tools', () => {
  it('parses the accumulated input JSON of a tool call', () => {
    const bytes = anthropicStream('anthropic/anthropic-json-tool.1.chunks.txt');
    const expected = [
      {
        id: 'toolu_01KFbKqPYSuAKujiL6mTfzYA',
        name: 'json',
        arguments: {
          elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }],
        },
      },
    ];
    for (let seed = 1; seed <= 20; seed += 1) {
      const response = assemble(randomChunks(bytes, seed, 24));
      assert.deepEqual(response.toolCalls, expected);
      assert.equal(response.finishReason, 'tool_call');
      assert.equal(response.usage.inputTokens, 849);
      assert.equal(response.usage.outputTokens, 47);
    }
  });

  it('keeps the raw input text of a tool call cut mid-stream', () => {
    const bytes = anthropicStream('anthropic/anthropic-json-tool.1.chunks.txt');
    const response = assemble([firstEvents(bytes, 5)]);
    assert.equal(
      response.toolCalls[0]?.arguments,
      '{"elements": [{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]',
    );
    assert.equal(response.usage.source, 'partial');
    assert.equal(response.usage.outputTokens, 10);
  });

  it('reads an empty input as {} and keeps the text before it', () => {
    const response = assemble([anthropicStream('anthropic/anthropic-tool-no-args.chunks.txt')]);
    assert.deepEqual(response.output[0]?.parts, [
      { type: 'text', content: "I'll update the issue list for you." },
      {
        type: 'tool_call',
        id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP',
        name: 'updateIssueList',
        arguments: {},
      },
    ]);
    assert.equal(response.toolCalls.length, 1);
    assert.equal(response.usage.outputTokens, 48);
  });

  it('reads thinking deltas as a reasoning part', () => {
    const bytes = anthropicStream('anthropic/anthropic-clear-thinking.1.chunks.txt');
    for (let seed = 1; seed <= 10; seed += 1) {
      const response = assemble(randomChunks(bytes, seed, 16));
      assert.deepEqual(response.output[0]?.parts, [
        {
          type: 'reasoning',
          content: 'The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185',
        },
        { type: 'text', content: '925 ÷ 5 = 185' },
      ]);
      assert.equal(response.usage.outputTokens, 53);
      assert.equal(response.usage.reasoningTokens, null);
    }
  });

  it('reads a refusal with its explanation', () => {
    const assembler = createStreamAssembler();
    assembler.write(anthropicStream('anthropic/anthropic-refusal.chunks.txt'));
    assert.equal(assembler.sawContent, false, 'a refusal streams no content');
    const response = assembler.finish();
    assert.deepEqual(response.finishReasons, ['refusal']);
    assert.equal(response.finishReason, 'content_filter');
    assert.equal(
      response.refusal,
      'This request triggered restrictions on violative cyber content and was blocked ' +
        "under Anthropic's Usage Policy.",
    );
    assert.equal(response.usage.outputTokens, 5);
  });

  it('keeps server tool use in the output but not among the calls for the caller', () => {
    const response = assemble(
      randomChunks(anthropicStream('anthropic/anthropic-web-search-tool.1.chunks.txt'), 11, 512),
    );
    const parts = response.output[0]?.parts ?? [];
    assert.deepEqual(parts[0], {
      type: 'tool_call',
      id: 'srvtoolu_01Bj5uzzLcYG5hfueSLcDH8k',
      name: 'web_search',
      arguments: { query: 'tech news today September 26 2025' },
    });
    assert.equal(parts[1]?.type, 'tool_call_response');
    assert.equal(parts.filter((part) => part.type === 'text').length, 19);
    assert.deepEqual(response.toolCalls, []);
    assert.equal(response.usage.inputTokens, 15665);
    assert.equal(response.usage.outputTokens, 795);
  });

  it('keeps an error event sent after the stream began', () => {
    const bytes = Buffer.concat([
      firstEvents(anthropicStream('anthropic/anthropic-text.chunks.txt'), 4),
      Buffer.from(
        'event: error\ndata: {"type":"error",' +
          '"error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
      ),
    ]);
    const response = assemble([bytes]);
    assert.deepEqual(response.error, { type: 'overloaded_error', message: 'Overloaded' });
    assert.equal(textOf(response), 'Hello');
    assert.equal(response.usage.source, 'partial');
  });
});

describe('Anthropic parseResponse', () => {
  it('reads a recorded text message', () => {
    const response = parseResponse(jsonBody('anthropic/anthropic-text.json'));
    assert.equal(response.id, 'msg_01VdEjxAP5ahtHKrrRdNBteQ');
    assert.equal(
      textOf(response),
      "Hello! I'm doing well, thanks for asking. How are you doing today? " +
        'Is there anything I can help you with?',
    );
    assert.equal(response.finishReason, 'stop');
    assert.equal(response.usage.inputTokens, 12);
    assert.equal(response.usage.outputTokens, 29);
    assert.equal(response.usage.source, 'provider');
    assert.equal(response.systemFingerprint, null);
  });

  it('reads a recorded tool call, thinking and refusal', () => {
    const tool = parseResponse(jsonBody('anthropic/anthropic-json-tool.1.json'));
    assert.equal(tool.toolCalls[0]?.name, 'json');
    assert.deepEqual((tool.toolCalls[0]?.arguments as { elements: unknown[] }).elements[1], {
      location: 'London',
      temperature: 0,
      condition: 'snowy',
    });
    assert.equal(tool.finishReason, 'tool_call');
    assert.equal(tool.usage.inputTokens, 1151);

    const thinking = parseResponse(jsonBody('anthropic/anthropic-clear-thinking.1.json'));
    assert.deepEqual(thinking.output[0]?.parts, [
      { type: 'reasoning', content: '925 divided by 5 = 185' },
      { type: 'text', content: '925 ÷ 5 = 185' },
    ]);

    const refusal = parseResponse(jsonBody('anthropic/anthropic-refusal.json'));
    assert.equal(refusal.finishReason, 'content_filter');
    assert.match(refusal.refusal ?? '', /^This request triggered restrictions/);
    const bare = parseResponse({
      ...(jsonBody('anthropic/anthropic-refusal.json') as object),
      stop_details: null,
    });
    assert.equal(bare.refusal, 'refusal');
  });

  it('reads a recorded web search with server tools and two requests', () => {
    const response = parseResponse(jsonBody('anthropic/anthropic-web-search-tool.1.json'));
    const calls = (response.output[0]?.parts ?? []).filter((part) => part.type === 'tool_call');
    assert.equal(calls.length, 2);
    assert.deepEqual(response.toolCalls, []);
    assert.equal(response.usage.inputTokens, 27118);
    assert.equal(response.usage.outputTokens, 600);
  });

  it('counts cache reads and writes into input', () => {
    const response = parseResponse({
      id: 'msg_1',
      content: [],
      stop_reason: 'end_turn',
      usage: {
        input_tokens: 3,
        cache_read_input_tokens: 2048,
        cache_creation_input_tokens: 512,
        output_tokens: 7,
      },
    });
    assert.equal(response.usage.inputTokens, 2563);
    assert.equal(response.usage.cacheReadTokens, 2048);
    assert.equal(response.usage.cacheWriteTokens, 512);
  });

  it('reads an error body and odd bodies without throwing', () => {
    const error = parseResponse({
      type: 'error',
      error: { type: 'not_found_error', message: 'x' },
    });
    assert.deepEqual(error.error, { type: 'not_found_error', message: 'x' });
    assert.equal(error.usage.source, 'missing');
    for (const body of [null, 'text', [], { content: 'no' }]) {
      assert.deepEqual(parseResponse(body).output, []);
    }
  });
});

describe('Anthropic parseRequest', () => {
  const body = {
    model: 'claude-sonnet-4-5-20250929',
    max_tokens: 1024,
    stream: true,
    temperature: 0.5,
    metadata: { user_id: 'user-7' },
    system: [
      { type: 'text', text: 'You are a weather bot.' },
      { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } },
    ],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather in Paris? See the photo and the report.' },
          { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/sky.png' } },
          {
            type: 'document',
            title: 'report',
            source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
          },
          {
            type: 'document',
            source: { type: 'text', media_type: 'text/plain', data: 'Rain at noon.' },
          },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Call the tool.', signature: 'sig' },
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_1',
            content: [{ type: 'text', text: '18°C' }],
          },
        ],
      },
      { role: 'assistant', content: 'It is 18°C.' },
    ],
    tools: [
      {
        name: 'weather',
        description: 'Weather for a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
    ],
  };

  it('reads model, stream, parameters, system and user', () => {
    const request = parseRequest(body);
    assert.equal(request.model, 'claude-sonnet-4-5-20250929');
    assert.equal(request.stream, true);
    assert.deepEqual(request.parameters, {
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 1024,
      stream: true,
      temperature: 0.5,
      metadata: { user_id: 'user-7' },
    });
    assert.equal(request.system, 'You are a weather bot.\n\nBe brief.');
    assert.equal(parseRequest({ ...body, system: 'Plain system.' }).system, 'Plain system.');
    assert.equal(request.userId, 'user-7');
  });

  it('reads content blocks in the GenAI shape', () => {
    const [question, call, result, answer] = parseRequest(body).messages;
    assert.deepEqual(question?.parts, [
      { type: 'text', content: 'Weather in Paris? See the photo and the report.' },
      { type: 'blob', mimeType: 'image/jpeg', modality: 'image', content: '/9j/4AAQ' },
      { type: 'uri', mimeType: null, modality: 'image', uri: 'https://example.com/sky.png' },
      { type: 'blob', mimeType: 'application/pdf', modality: null, content: 'JVBERi0=' },
      { type: 'text', content: 'Rain at noon.' },
    ]);
    assert.deepEqual(call, {
      role: 'assistant',
      parts: [
        { type: 'reasoning', content: 'Call the tool.' },
        { type: 'reasoning', content: '[redacted]' },
        { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: { city: 'Paris' } },
      ],
    });
    assert.deepEqual(result?.parts, [
      { type: 'tool_call_response', id: 'toolu_1', response: '18°C' },
    ]);
    assert.deepEqual(answer, {
      role: 'assistant',
      parts: [{ type: 'text', content: 'It is 18°C.' }],
    });
  });

  it('reads client and server tools', () => {
    assert.deepEqual(parseRequest(body).tools, [
      {
        type: 'custom',
        name: 'weather',
        description: 'Weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
      { type: 'web_search_20250305', name: 'web_search', description: null, parameters: null },
    ]);
  });

  it('never throws on odd bodies', () => {
    for (const odd of [null, 7, 'x', [], { system: 5, messages: [1, null], metadata: 'x' }]) {
      const request = parseRequest(odd);
      assert.deepEqual(request.messages, []);
      assert.equal(request.system, null);
      assert.equal(request.userId, null);
    }
  });
});

describe('Anthropic finish reasons, errors and family', () => {
  it('maps stop reasons', () => {
    assert.equal(normaliseFinishReason('end_turn'), 'stop');
    assert.equal(normaliseFinishReason('stop_sequence'), 'stop');
    assert.equal(normaliseFinishReason('max_tokens'), 'length');
    assert.equal(normaliseFinishReason('tool_use'), 'tool_call');
    assert.equal(normaliseFinishReason('refusal'), 'content_filter');
    assert.equal(normaliseFinishReason('pause_turn'), 'other');
    assert.equal(normaliseFinishReason(null), null);
  });

  it('answers errors in Anthropic shape with the documented type per status', () => {
    const expected: [number, string][] = [
      [400, 'invalid_request_error'],
      [401, 'authentication_error'],
      [403, 'permission_error'],
      [404, 'not_found_error'],
      [413, 'request_too_large'],
      [429, 'rate_limit_error'],
      [500, 'api_error'],
      [529, 'overloaded_error'],
      [418, 'invalid_request_error'],
      [502, 'api_error'],
    ];
    for (const [status, type] of expected) {
      assert.deepEqual(errorBody(status, 'some_code', 'what happened'), {
        type: 'error',
        error: { type, message: 'what happened' },
      });
    }
  });

  it('describes a provider error by its type only', () => {
    const body = { type: 'error', error: { type: 'rate_limit_error', message: 'prompt echo' } };
    assert.equal(describeError(body), 'rate_limit_error');
    assert.equal(describeError({ error: 'x' }), null);
    assert.equal(describeError(undefined), null);
  });

  it('serves the Messages API for POST /v1/messages only', () => {
    assert.equal(anthropicFamily.apiFor('POST', '/v1/messages'), messagesApi);
    assert.equal(anthropicFamily.apiFor('POST', '/v1/messages?beta=true'), messagesApi);
    assert.equal(messagesApi.endpoint, 'messages');
    assert.equal(anthropicFamily.apiFor('POST', '/v1/messages/count_tokens'), null);
    assert.equal(anthropicFamily.apiFor('GET', '/v1/messages'), null);
  });
});
