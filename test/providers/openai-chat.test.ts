import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { normaliseFinishReason } from '../../src/providers/openai-chat/finish-reason.js';
import { describeError, errorBody } from '../../src/providers/openai-chat/errors.js';
import { chatCompletionsApi } from '../../src/providers/openai-chat/index.js';
import { parseRequest } from '../../src/providers/openai-chat/request.js';
import { parseResponse } from '../../src/providers/openai-chat/response.js';
import { createStreamAssembler } from '../../src/providers/openai-chat/stream.js';
import { geminiFamily } from '../../src/providers/gemini/index.js';
import { bedrockFamily } from '../../src/providers/bedrock-converse/index.js';
import {
  anthropicFamily,
  describeError as describeAnyError,
  familyFor,
  openaiFamily,
} from '../../src/providers/registry.js';
import type { ParsedResponse } from '../../src/providers/types.js';
import {
  byteByByte,
  chunkObjects,
  jsonBody,
  openaiStream,
  randomChunks,
  splitAt,
} from './fixtures.js';

function assemble(chunks: Uint8Array[]): ParsedResponse {
  const assembler = createStreamAssembler();
  for (const chunk of chunks) assembler.write(chunk);
  return assembler.finish();
}

/** The text deltas of a recording, joined, read straight from the fixture. */
function recordedText(name: string): string {
  return chunkObjects(name)
    .flatMap((chunk) => chunk.choices as { delta: { content?: string | null } }[])
    .map((choice) => choice.delta.content ?? '')
    .join('');
}

function textOf(response: ParsedResponse): string {
  return (response.output[0]?.parts ?? [])
    .map((part) => (part.type === 'text' ? part.content : ''))
    .join('');
}

describe('OpenAI chat stream: openai-text', () => {
  const name = 'openai-chat/openai-text.chunks.txt';
  const bytes = openaiStream(name);

  function assertWhole(response: ParsedResponse): void {
    assert.equal(response.id, 'chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0');
    assert.equal(response.model, 'gpt-4.1-nano-2025-04-14');
    assert.equal(response.systemFingerprint, 'fp_de604bd877');
    assert.deepEqual(response.finishReasons, ['stop']);
    assert.equal(response.finishReason, 'stop');
    assert.equal(response.refusal, null);
    assert.deepEqual(response.toolCalls, []);
    assert.equal(response.usage.inputTokens, 16);
    assert.equal(response.usage.outputTokens, 300);
    assert.equal(response.usage.cacheReadTokens, 0);
    assert.equal(response.usage.cacheWriteTokens, null);
    assert.equal(response.usage.reasoningTokens, 0);
    assert.equal(response.usage.source, 'provider');
    assert.equal((response.usage.raw as { total_tokens: number }).total_tokens, 316);
    const text = textOf(response);
    assert.equal(text, recordedText(name));
    assert.equal(text.length, 1724);
    assert.ok(text.startsWith('**Holiday Name:** Harmony Day\n\n**Date:**'));
    assert.equal(response.output[0]?.role, 'assistant');
    assert.equal(response.output[0]?.finishReason, 'stop');
  }

  it('assembles the whole stream in one chunk', () => {
    assertWhole(assemble([bytes]));
  });

  it('assembles the same answer under random splits', () => {
    for (let seed = 1; seed <= 20; seed += 1) assertWhole(assemble(randomChunks(bytes, seed)));
  });

  it('marks content only once a non-empty delta has arrived', () => {
    const assembler = createStreamAssembler();
    const firstEventEnd = bytes.indexOf('\n\n') + 2;
    assembler.write(bytes.subarray(0, firstEventEnd));
    assert.equal(assembler.sawContent, false, 'the first chunk has role and empty content');
    const secondEventEnd = bytes.indexOf('\n\n', firstEventEnd) + 2;
    assembler.write(bytes.subarray(firstEventEnd, secondEventEnd));
    assert.equal(assembler.sawContent, true);
  });

  it('keeps the partial text of a stream cut mid-event, with usage missing', () => {
    const cut = bytes.indexOf('"content":" Harmony"');
    assert.ok(cut > 0);
    const response = assemble([bytes.subarray(0, cut + 5)]);
    assert.equal(textOf(response), '**Holiday Name:**');
    assert.equal(response.finishReason, null);
    assert.deepEqual(response.finishReasons, []);
    assert.deepEqual(response.usage, {
      inputTokens: null,
      outputTokens: null,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      reasoningTokens: null,
      source: 'missing',
      raw: null,
    });
  });
});

describe('OpenAI chat stream: DeepSeek tool call', () => {
  const bytes = openaiStream('deepseek-chat/deepseek-tool-call.chunks.txt');

  function assertWhole(response: ParsedResponse): void {
    const call = {
      id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF',
      name: 'weather',
      arguments: { location: 'San Francisco' },
    };
    assert.deepEqual(response.toolCalls, [call]);
    assert.equal(response.model, 'deepseek-reasoner');
    assert.equal(response.systemFingerprint, 'fp_eaab8d114b_prod0820_fp8_kvcache');
    assert.deepEqual(response.finishReasons, ['tool_calls']);
    assert.equal(response.finishReason, 'tool_call');
    // The last chunk carries both a choice and the usage.
    assert.equal(response.usage.inputTokens, 339);
    assert.equal(response.usage.outputTokens, 83);
    assert.equal(response.usage.cacheReadTokens, 320);
    assert.equal(response.usage.reasoningTokens, 39);
    assert.equal(response.usage.source, 'provider');
    const parts = response.output[0]?.parts ?? [];
    assert.deepEqual(
      parts.map((part) => part.type),
      ['reasoning', 'tool_call'],
    );
    const reasoning = parts[0]?.type === 'reasoning' ? parts[0].content : '';
    assert.equal(reasoning.length, 191);
    assert.ok(reasoning.startsWith('The user is asking for the weather in San Francisco.'));
    assert.deepEqual(parts[1], { type: 'tool_call', ...call });
  }

  it('assembles the tool call from its argument deltas, whole and under random splits', () => {
    assertWhole(assemble([bytes]));
    for (let seed = 1; seed <= 20; seed += 1) assertWhole(assemble(randomChunks(bytes, seed)));
  });

  it('keeps the raw argument text of a stream cut inside the arguments', () => {
    const cut = bytes.indexOf('"arguments":" Francisco"');
    const response = assemble([bytes.subarray(0, cut)]);
    assert.deepEqual(response.toolCalls, [
      { id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF', name: 'weather', arguments: '{"location": "San' },
    ]);
    assert.equal(response.usage.source, 'missing');
    assert.equal(response.finishReason, null);
  });
});

describe('OpenAI chat stream: other servers', () => {
  it('merges Mistral tool-call deltas that repeat the call with no name, at every split', () => {
    const bytes = openaiStream('mistral/mistral-incremental-tool-call.chunks.txt');
    const expected = [
      {
        id: 'chatcmpl-tool-9f149c74c42f265b',
        name: 'webSearchTool',
        arguments: { query: 'current Berlin weather' },
      },
    ];
    for (let index = 0; index <= bytes.length; index += 1) {
      const response = assemble(splitAt(bytes, index));
      assert.deepEqual(response.toolCalls, expected, `split at ${index}`);
      assert.equal(response.usage.inputTokens, 171);
      assert.equal(response.usage.cacheReadTokens, 128);
      assert.equal(response.finishReason, 'tool_call');
    }
    const byteWise = assemble(byteByByte(bytes));
    assert.deepEqual(byteWise.toolCalls, expected);
    assert.equal(byteWise.usage.outputTokens, 14);
    assert.equal(byteWise.usage.reasoningTokens, null);
  });

  it('reads DeepSeek reasoning_content as a reasoning part before the text', () => {
    const response = assemble(
      randomChunks(openaiStream('deepseek-chat/deepseek-reasoning.chunks.txt'), 7),
    );
    const parts = response.output[0]?.parts ?? [];
    assert.equal(parts[0]?.type, 'reasoning');
    assert.equal(parts[0]?.type === 'reasoning' ? parts[0].content.length : 0, 606);
    assert.deepEqual(parts[1], {
      type: 'text',
      content: 'The word "strawberry" contains three "r"s.',
    });
    assert.equal(response.usage.reasoningTokens, 205);
    assert.equal(response.usage.outputTokens, 219);
  });

  it('takes the id and model past the empty first chunk of an Azure stream', () => {
    const response = assemble([openaiStream('openai-chat/azure-model-router.1.chunks.txt')]);
    assert.equal(response.id, 'chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt');
    assert.equal(response.model, 'gpt-5-nano-2025-08-07');
    assert.equal(response.systemFingerprint, null);
    assert.equal(textOf(response), 'Capital of Denmark.');
    assert.equal(response.usage.inputTokens, 15);
    assert.equal(response.usage.outputTokens, 78);
    assert.equal(response.usage.reasoningTokens, 64);
  });

  it('reads CRLF-framed streams the same', () => {
    const response = assemble(
      randomChunks(openaiStream('openai-chat/azure-model-router.1.chunks.txt', '\r\n\r\n'), 3),
    );
    assert.equal(textOf(response), 'Capital of Denmark.');
  });

  it('keeps an error chunk sent mid-stream', () => {
    const error = { message: 'The server had an error', type: 'server_error', code: null };
    const bytes = Buffer.from(
      `data: {"id":"x","model":"m","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n` +
        `data: ${JSON.stringify({ error })}\n\n`,
    );
    const response = assemble([bytes]);
    assert.deepEqual(response.error, error);
    assert.equal(textOf(response), 'Hi');
  });
});

describe('OpenAI chat parseResponse', () => {
  it('reads a recorded text completion', () => {
    const response = parseResponse(jsonBody('openai-chat/openai-text.json'));
    assert.equal(response.id, 'chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU');
    assert.equal(response.model, 'gpt-4.1-nano-2025-04-14');
    assert.equal(response.systemFingerprint, 'fp_de604bd877');
    assert.ok(textOf(response).startsWith('**Holiday Name:** Galaxy Day'));
    assert.equal(response.finishReason, 'stop');
    assert.equal(response.usage.inputTokens, 16);
    assert.equal(response.usage.outputTokens, 363);
    assert.equal(response.usage.source, 'provider');
    assert.equal(response.error, null);
  });

  it('reads a recorded DeepSeek tool call with its reasoning', () => {
    const response = parseResponse(jsonBody('deepseek-chat/deepseek-tool-call.json'));
    assert.deepEqual(response.toolCalls, [
      {
        id: 'call_00_9V0vrf86Pc9aelHCJMZqnJBo',
        name: 'weather',
        arguments: { location: 'San Francisco' },
      },
    ]);
    assert.deepEqual(
      response.output[0]?.parts.map((part) => part.type),
      ['reasoning', 'tool_call'],
    );
    assert.equal(response.finishReason, 'tool_call');
    assert.equal(response.usage.inputTokens, 339);
    assert.equal(response.usage.outputTokens, 92);
    assert.equal(response.usage.cacheReadTokens, 320);
    assert.equal(response.usage.reasoningTokens, 48);
  });

  it('reports usage missing and does not throw on odd bodies', () => {
    for (const body of [null, 'text', [], { choices: 'no' }]) {
      const response = parseResponse(body);
      assert.deepEqual(response.output, []);
      assert.equal(response.usage.source, 'missing');
    }
  });
});

describe('OpenAI chat parseRequest', () => {
  const body = {
    model: 'gpt-4.1-nano',
    stream: true,
    stream_options: { include_usage: true },
    temperature: 0.2,
    user: 'user-42',
    safety_identifier: 'hashed-id',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
      {
        role: 'user',
        name: 'ana',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          { type: 'file', file: { file_id: 'file-abc', filename: 'report.pdf' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'weather', arguments: '{"city":"Paris"}' },
          },
          { id: 'call_2', type: 'function', function: { name: 'broken', arguments: '{"city":' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18°C and sunny' },
    ],
    tools: [
      {
        type: 'function',
        function: {
          name: 'weather',
          description: 'Weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ],
  };

  it('reads model, stream, parameters, system and user', () => {
    const request = parseRequest(body);
    assert.equal(request.model, 'gpt-4.1-nano');
    assert.equal(request.stream, true);
    assert.deepEqual(request.parameters, {
      model: 'gpt-4.1-nano',
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      user: 'user-42',
      safety_identifier: 'hashed-id',
    });
    assert.equal(request.system, 'You are terse.\n\nAnswer in French.');
    assert.equal(request.userId, 'user-42');
    assert.equal(parseRequest({ ...body, user: undefined }).userId, 'hashed-id');
    assert.equal(request.retrieval, null);
    assert.equal(request.previousResponseId, null);
  });

  it('reads messages in the GenAI shape', () => {
    const [user, assistant, tool] = parseRequest(body).messages;
    assert.equal(parseRequest(body).messages.length, 3);
    assert.deepEqual(user, {
      role: 'user',
      name: 'ana',
      parts: [
        { type: 'text', content: 'What is in these?' },
        { type: 'blob', mimeType: 'image/png', modality: 'image', content: 'iVBORw0KGgo=' },
        { type: 'uri', mimeType: null, modality: 'image', uri: 'https://example.com/cat.jpg' },
        { type: 'blob', mimeType: 'audio/wav', modality: 'audio', content: 'UklGRg==' },
        { type: 'file', mimeType: null, fileId: 'file-abc', name: 'report.pdf' },
        { type: 'blob', mimeType: 'application/pdf', modality: null, content: 'JVBERi0=' },
      ],
    });
    assert.deepEqual(assistant, {
      role: 'assistant',
      parts: [
        { type: 'tool_call', id: 'call_1', name: 'weather', arguments: { city: 'Paris' } },
        { type: 'tool_call', id: 'call_2', name: 'broken', arguments: '{"city":' },
      ],
    });
    assert.deepEqual(tool, {
      role: 'tool',
      parts: [{ type: 'tool_call_response', id: 'call_1', response: '18°C and sunny' }],
    });
  });

  it('reads tools as tool definitions', () => {
    assert.deepEqual(parseRequest(body).tools, [
      {
        type: 'function',
        name: 'weather',
        description: 'Weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ]);
    assert.equal(parseRequest({ model: 'm', messages: [] }).tools, null);
  });

  it('never throws on odd bodies', () => {
    for (const odd of [
      null,
      42,
      'text',
      [],
      { messages: 'no', tools: {} },
      { messages: [null, 1] },
    ]) {
      const request = parseRequest(odd);
      assert.deepEqual(request.messages, []);
      assert.equal(request.system, null);
      assert.equal(request.stream, false);
    }
  });
});

describe('OpenAI chat finish reasons and errors', () => {
  it('maps finish reasons', () => {
    assert.equal(normaliseFinishReason('stop'), 'stop');
    assert.equal(normaliseFinishReason('length'), 'length');
    assert.equal(normaliseFinishReason('content_filter'), 'content_filter');
    assert.equal(normaliseFinishReason('tool_calls'), 'tool_call');
    assert.equal(normaliseFinishReason('function_call'), 'tool_call');
    assert.equal(normaliseFinishReason('insufficient_system_resource'), 'other');
    assert.equal(normaliseFinishReason(null), null);
  });

  it('answers errors in OpenAI shape', () => {
    assert.deepEqual(errorBody(413, 'body_too_large', 'request body is over 33554432 bytes'), {
      error: {
        message: 'request body is over 33554432 bytes',
        type: 'invalid_request_error',
        param: null,
        code: 'body_too_large',
      },
    });
    assert.deepEqual(errorBody(502, 'upstream_unreachable', 'upstream did not answer'), {
      error: {
        message: 'upstream did not answer',
        type: 'server_error',
        param: null,
        code: 'upstream_unreachable',
      },
    });
  });

  it('describes a provider error by type and code, never its message', () => {
    const recorded = jsonBody('openai-chat/reasoning-model-legacy-parameter-error.json');
    assert.equal(describeError(recorded), 'invalid_request_error: unsupported_parameter');
    assert.equal(
      describeError({ error: { message: 'my prompt text', type: null, code: null } }),
      null,
    );
    assert.equal(
      describeError({ object: 'error', message: 'x', type: 'BadRequestError', code: 400 }),
      'BadRequestError: 400',
    );
    assert.equal(describeError('Bad Gateway'), null);
    assert.equal(describeError(null), null);
  });
});

describe('OpenAI family and the registry', () => {
  it('serves the chat API for POST /v1/chat/completions only', () => {
    assert.equal(openaiFamily.apiFor('POST', '/v1/chat/completions'), chatCompletionsApi);
    assert.equal(
      openaiFamily.apiFor('POST', '/v1/chat/completions?api-version=1'),
      chatCompletionsApi,
    );
    assert.equal(chatCompletionsApi.endpoint, 'chat.completions');
    assert.equal(openaiFamily.apiFor('GET', '/v1/chat/completions'), null);
    assert.equal(openaiFamily.apiFor('POST', '/v1/models'), null);
    assert.equal(openaiFamily.apiFor('POST', '/v1/chat/completions/extra'), null);
  });

  it('finds the family for each provider type', () => {
    assert.equal(familyFor('openai'), openaiFamily);
    assert.equal(familyFor('openai-compatible'), openaiFamily);
    assert.equal(familyFor('anthropic'), anthropicFamily);
    assert.equal(familyFor('gemini'), geminiFamily);
    assert.equal(familyFor('bedrock'), bedrockFamily);
  });

  it('describes errors by provider type', () => {
    const openaiError = jsonBody('openai-chat/reasoning-model-legacy-parameter-error.json');
    const anthropicError = {
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    };
    assert.equal(
      describeAnyError('openai-compatible', openaiError),
      'invalid_request_error: unsupported_parameter',
    );
    assert.equal(describeAnyError('anthropic', anthropicError), 'overloaded_error');
    assert.equal(describeAnyError('gemini', openaiError), null);
  });
});
