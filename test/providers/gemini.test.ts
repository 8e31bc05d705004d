import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { describeError, errorBody } from '../../src/providers/gemini/errors.js';
import { normaliseFinishReason } from '../../src/providers/gemini/finish-reason.js';
import { generateContentApi, geminiFamily } from '../../src/providers/gemini/index.js';
import { parseRequest } from '../../src/providers/gemini/request.js';
import { parseResponse } from '../../src/providers/gemini/response.js';
import { createStreamAssembler } from '../../src/providers/gemini/stream.js';
import { normaliseUsage } from '../../src/providers/gemini/usage.js';
import { describeError as describeAnyError, familyFor } from '../../src/providers/registry.js';
import type { ParsedResponse } from '../../src/providers/types.js';
import {
  byteByByte,
  chunkLines,
  chunkObjects,
  jsonBody,
  randomChunks,
  splitAt,
} from './fixtures.js';

/** A Gemini `?alt=sse` stream as sent: `data: <json>\r\n\r\n` per chunk, no end marker. */
function sseStream(name: string): Buffer {
  return Buffer.from(
    chunkLines(name)
      .map((line) => `data: ${line}\r\n\r\n`)
      .join(''),
  );
}

/** The same chunks as a stream without `alt=sse` sends them: `[{...}\r\n,{...}\r\n]`. */
function arrayStream(name: string): Buffer {
  return Buffer.from(`[${chunkLines(name).join('\r\n,')}\r\n]`);
}

function assemble(chunks: Uint8Array[]): ParsedResponse {
  const assembler = createStreamAssembler();
  for (const chunk of chunks) assembler.write(chunk);
  return assembler.finish();
}

/** Every way a recording can arrive: both stream framings split at random, and the array. */
function everyReading(name: string): [string, ParsedResponse][] {
  const readings: [string, ParsedResponse][] = [['array body', parseResponse(chunkObjects(name))]];
  for (const [framing, bytes] of [
    ['sse', sseStream(name)],
    ['json array', arrayStream(name)],
  ] as const) {
    readings.push([`${framing} whole`, assemble([bytes])]);
    for (let seed = 1; seed <= 20; seed += 1) {
      readings.push([`${framing} seed ${seed}`, assemble(randomChunks(bytes, seed, 48))]);
    }
  }
  return readings;
}

function textOf(response: ParsedResponse): string {
  return (response.output[0]?.parts ?? [])
    .map((part) => (part.type === 'text' ? part.content : ''))
    .join('');
}

type RecordedUsage = { totalTokenCount: number; candidatesTokenCount: number };

describe('Gemini stream: google-text', () => {
  const name = 'google/google-text.chunks.txt';

  it('assembles text, ids and usage in both framings and under random splits', () => {
    for (const [label, response] of everyReading(name)) {
      assert.equal(response.id, 'bH6LaZW8Fp_3nsEPqtaSwQ4', label);
      assert.equal(response.model, 'gemini-3-pro-preview', label);
      assert.equal(textOf(response), 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
      assert.equal(response.output[0]?.role, 'assistant');
      assert.equal(response.output[0]?.parts.length, 1, 'the text chunks join into one part');
      assert.deepEqual(response.finishReasons, ['STOP']);
      assert.equal(response.finishReason, 'stop');
      assert.deepEqual(response.toolCalls, []);
      assert.equal(response.refusal, null);
      assert.equal(response.retrieval, null);
      assert.equal(response.error, null);
      assert.equal(response.usage.source, 'provider', label);
    }
  });

  it('a provider that repeats cumulative usage in every chunk: not summed', () => {
    const chunks = chunkObjects(name);
    const last = chunks.at(-1)?.usageMetadata as RecordedUsage;
    // Summed, the candidates counts would be 5 + 23 + 23 = 51; the last chunk says 23.
    const summed = chunks.reduce(
      (total, chunk) => total + (chunk.usageMetadata as RecordedUsage).candidatesTokenCount,
      0,
    );
    assert.equal(summed, 51);
    assert.equal(last.candidatesTokenCount, 23);

    for (const [label, response] of everyReading(name)) {
      assert.equal(response.usage.inputTokens, 9, label);
      assert.equal(response.usage.outputTokens, 23 + 185, label);
      assert.equal(response.usage.reasoningTokens, 185);
      assert.equal(response.usage.cacheReadTokens, null);
      assert.equal(response.usage.cacheWriteTokens, null);
      assert.deepEqual(response.usage.raw, last);
      assert.equal(response.usage.inputTokens + response.usage.outputTokens, 217);
    }
  });

  it('keeps what arrived, with partial usage, when cut after the first chunk', () => {
    for (const bytes of [sseStream(name), arrayStream(name)]) {
      const firstEnd = bytes.indexOf('\r\n') + 2;
      const response = assemble([bytes.subarray(0, firstEnd)]);
      assert.equal(textOf(response), 'There are **3**');
      assert.equal(response.finishReason, null);
      assert.deepEqual(response.finishReasons, []);
      assert.equal(response.usage.source, 'partial');
      assert.equal(response.usage.outputTokens, 5 + 185);
    }
  });

  it('reports usage missing when cut inside the first chunk', () => {
    const response = assemble([sseStream(name).subarray(0, 120)]);
    assert.equal(response.usage.source, 'missing');
    assert.deepEqual(response.output, []);
    assert.equal(response.id, null);
  });

  it('marks content at the first chunk with text', () => {
    const bytes = arrayStream(name);
    const assembler = createStreamAssembler();
    assembler.write(bytes.subarray(0, 40));
    assert.equal(assembler.sawContent, false);
    assembler.write(bytes.subarray(40, bytes.indexOf('\r\n')));
    assert.equal(assembler.sawContent, true);
  });

  it('reads the array stream split at every byte', () => {
    const bytes = arrayStream(name);
    for (let index = 0; index <= bytes.length; index += 97) {
      const response = assemble(splitAt(bytes, index));
      assert.equal(response.usage.outputTokens, 208, `split at ${index}`);
    }
    assert.equal(
      textOf(assemble(byteByByte(bytes))),
      'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y',
    );
  });
  it('reads the array however its elements are spaced, pretty-printed ones too', () => {
    const objects = chunkObjects(name);
    const variants = [
      `[${objects.map((chunk) => JSON.stringify(chunk)).join(',\r\n')}]`,
      `[${objects.map((chunk) => JSON.stringify(chunk, null, 2)).join('\r\n,')}\r\n]\r\n`,
    ];
    for (const variant of variants) {
      for (let seed = 1; seed <= 10; seed += 1) {
        const response = assemble(randomChunks(Buffer.from(variant), seed, 32));
        assert.equal(textOf(response), 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
        assert.equal(response.usage.outputTokens, 208);
        assert.equal(response.usage.source, 'provider');
      }
    }
  });
});

describe('Gemini stream: google-reasoning and google-tool-call', () => {
  it('reads the reasoning recording', () => {
    for (const [label, response] of everyReading('google/google-reasoning.chunks.txt')) {
      assert.equal(response.id, 'dX6LadKVC7SZ28oPr9yJoQs', label);
      assert.equal(
        textOf(response),
        'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.',
      );
      assert.equal(response.finishReason, 'stop');
      assert.equal(response.usage.inputTokens, 9);
      assert.equal(response.usage.outputTokens, 29 + 256);
      assert.equal(response.usage.reasoningTokens, 256);
    }
  });

  it('reads the function call, and STOP after a call as a tool call', () => {
    for (const [label, response] of everyReading('google/google-tool-call.chunks.txt')) {
      assert.equal(response.id, 'b36LacjwM668nsEP2tbsgQQ', label);
      assert.deepEqual(response.toolCalls, [
        { id: null, name: 'weather', arguments: { location: 'San Francisco' } },
      ]);
      assert.deepEqual(response.output[0]?.parts, [
        { type: 'tool_call', id: null, name: 'weather', arguments: { location: 'San Francisco' } },
      ]);
      assert.deepEqual(response.finishReasons, ['STOP']);
      assert.equal(response.finishReason, 'tool_call');
      assert.equal(response.usage.inputTokens, 29);
      assert.equal(response.usage.outputTokens, 15 + 45);
      assert.equal(response.usage.reasoningTokens, 45);
    }
  });
});

describe('Gemini parseResponse: recorded bodies', () => {
  it('reads the text body', () => {
    const response = parseResponse(jsonBody('google/google-text.json'));
    assert.equal(response.id, 'Un6LacrVMcjUxs0PmJfWoQc');
    assert.equal(response.model, 'gemini-3-pro-preview');
    assert.equal(
      textOf(response),
      "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.",
    );
    assert.equal(response.finishReason, 'stop');
    assert.equal(response.usage.inputTokens, 9);
    assert.equal(response.usage.outputTokens, 28 + 244);
    assert.equal(response.usage.reasoningTokens, 244);
    assert.equal(response.usage.source, 'provider');
    assert.equal(response.systemFingerprint, null);
  });

  it('reads the reasoning body', () => {
    const response = parseResponse(jsonBody('google/google-reasoning.json'));
    assert.equal(response.id, 'YH6LaZT7ENmPxN8P-r2J8Aw');
    assert.equal(
      textOf(response),
      'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.',
    );
    assert.equal(response.finishReason, 'stop');
    assert.equal(response.usage.outputTokens, 29 + 282);
  });

  it('reads the tool-call body', () => {
    const response = parseResponse(jsonBody('google/google-tool-call.json'));
    assert.equal(response.id, 'm36LaZGyCLz1xs0PtNSB-QU');
    assert.deepEqual(response.toolCalls, [
      { id: null, name: 'weather', arguments: { location: 'San Francisco' } },
    ]);
    assert.equal(response.finishReason, 'tool_call');
    assert.equal(response.usage.inputTokens, 29);
    assert.equal(response.usage.outputTokens, 15 + 893);
  });

  it('adds input and output up to the provider total on every recording', () => {
    const totals: [string, ParsedResponse, number][] = [];
    for (const base of ['google-text', 'google-reasoning', 'google-tool-call']) {
      const body = jsonBody(`google/${base}.json`) as { usageMetadata: RecordedUsage };
      totals.push([`${base}.json`, parseResponse(body), body.usageMetadata.totalTokenCount]);
      const chunks = chunkObjects(`google/${base}.chunks.txt`);
      const total = (chunks.at(-1)?.usageMetadata as RecordedUsage).totalTokenCount;
      for (const [label, response] of everyReading(`google/${base}.chunks.txt`)) {
        totals.push([`${base} ${label}`, response, total]);
      }
    }
    for (const [label, response, total] of totals) {
      const { inputTokens, outputTokens } = response.usage;
      assert.equal((inputTokens ?? NaN) + (outputTokens ?? NaN), total, label);
    }
  });
});

describe('Gemini usage', () => {
  it('counts thinking as output: the reported case', () => {
    const usage = normaliseUsage({
      promptTokenCount: 15,
      candidatesTokenCount: 359,
      thoughtsTokenCount: 661,
      totalTokenCount: 1035,
    });
    assert.equal(usage.inputTokens, 15);
    assert.equal(usage.outputTokens, 1020);
    assert.equal(usage.reasoningTokens, 661);
    assert.equal(usage.cacheReadTokens, null);
    assert.equal((usage.inputTokens ?? 0) + (usage.outputTokens ?? 0), 1035);
  });

  it('keeps cached tokens inside input and adds tool-use prompt tokens to it', () => {
    const raw = {
      promptTokenCount: 2000,
      cachedContentTokenCount: 1500,
      toolUsePromptTokenCount: 40,
      candidatesTokenCount: 10,
      totalTokenCount: 2050,
    };
    const usage = normaliseUsage(raw);
    assert.equal(usage.inputTokens, 2040);
    assert.equal(usage.cacheReadTokens, 1500);
    assert.equal(usage.outputTokens, 10);
    assert.equal(usage.reasoningTokens, null);
    assert.equal(usage.raw, raw);
    assert.equal((usage.inputTokens ?? 0) + (usage.outputTokens ?? 0), raw.totalTokenCount);
    assert.equal(normaliseUsage({ ...raw, cachedContentTokenCount: 0 }).cacheReadTokens, 0);
  });

  it('says null where Gemini said nothing', () => {
    const usage = normaliseUsage({ promptTokenCount: 8, totalTokenCount: 8 });
    assert.equal(usage.inputTokens, 8);
    assert.equal(usage.outputTokens, null);
    assert.equal(normaliseUsage(undefined).source, 'missing');
  });
});

describe('Gemini responses: thoughts, parallel calls, filters, grounding, errors', () => {
  const chunk = (candidate: object, extra: object = {}): string => {
    const body = { candidates: [candidate], responseId: 'r1', modelVersion: 'm', ...extra };
    return `data: ${JSON.stringify(body)}\r\n\r\n`;
  };

  it('reads thought parts as one reasoning part before the text', () => {
    const bytes = Buffer.from(
      chunk({ content: { role: 'model', parts: [{ text: 'Count the ', thought: true }] } }) +
        chunk({ content: { role: 'model', parts: [{ text: 'letters.', thought: true }] } }) +
        chunk({ content: { role: 'model', parts: [{ text: 'Three' }] } }) +
        chunk(
          { content: { role: 'model', parts: [{ text: '.' }] }, finishReason: 'STOP' },
          {
            usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, thoughtsTokenCount: 7 },
          },
        ),
    );
    for (let seed = 1; seed <= 10; seed += 1) {
      const response = assemble(randomChunks(bytes, seed, 16));
      assert.deepEqual(response.output[0]?.parts, [
        { type: 'reasoning', content: 'Count the letters.' },
        { type: 'text', content: 'Three.' },
      ]);
      assert.equal(response.usage.outputTokens, 9);
      assert.equal(response.usage.reasoningTokens, 7);
    }
  });

  it('keeps every function call, with its id where Gemini sends one', () => {
    const calls = [
      { functionCall: { id: 'call-1', name: 'weather', args: { city: 'Paris' } } },
      { functionCall: { id: 'call-2', name: 'weather', args: { city: 'Oslo' } } },
    ];
    const response = parseResponse({
      candidates: [{ content: { role: 'model', parts: calls }, finishReason: 'STOP' }],
    });
    assert.deepEqual(response.toolCalls, [
      { id: 'call-1', name: 'weather', arguments: { city: 'Paris' } },
      { id: 'call-2', name: 'weather', arguments: { city: 'Oslo' } },
    ]);
    assert.equal(response.finishReason, 'tool_call');
  });

  it('reads a blocked prompt as a refusal by the content filter', () => {
    const response = parseResponse({
      promptFeedback: { blockReason: 'PROHIBITED_CONTENT' },
      usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 },
      modelVersion: 'gemini-2.5-flash',
    });
    assert.equal(response.refusal, 'PROHIBITED_CONTENT');
    assert.equal(response.finishReason, 'content_filter');
    assert.deepEqual(response.output, []);
    assert.equal(response.usage.inputTokens, 12);
  });

  it('maps each finish reason', () => {
    const expected = {
      STOP: 'stop',
      MAX_TOKENS: 'length',
      SAFETY: 'content_filter',
      RECITATION: 'content_filter',
      BLOCKLIST: 'content_filter',
      PROHIBITED_CONTENT: 'content_filter',
      SPII: 'content_filter',
      MALFORMED_FUNCTION_CALL: 'error',
      LANGUAGE: 'other',
      OTHER: 'other',
    };
    for (const [reason, finish] of Object.entries(expected)) {
      assert.equal(normaliseFinishReason(reason, false), finish, reason);
    }
    assert.equal(normaliseFinishReason('STOP', true), 'tool_call');
    assert.equal(normaliseFinishReason('MAX_TOKENS', true), 'length');
    assert.equal(normaliseFinishReason(null, false), null);
    const safety = parseResponse({ candidates: [{ finishReason: 'SAFETY', index: 0 }] });
    assert.equal(safety.finishReason, 'content_filter');
    assert.deepEqual(safety.output, [{ role: 'assistant', parts: [], finishReason: 'SAFETY' }]);
  });

  it('lists the documents grounding brought in, once per uri', () => {
    const web = (uri: string, title: string) => ({ web: { uri, title } });
    const response = parseResponse({
      candidates: [
        {
          content: { role: 'model', parts: [{ text: 'Spain won.' }] },
          finishReason: 'STOP',
          groundingMetadata: {
            webSearchQueries: ['euro 2024 winner'],
            groundingChunks: [
              web('https://example.com/a', 'uefa.com'),
              web('https://example.com/b', 'aljazeera.com'),
              web('https://example.com/a', 'uefa.com'),
            ],
          },
        },
      ],
    });
    assert.deepEqual(response.retrieval, [
      { id: null, source: 'https://example.com/a', text: 'uefa.com', sha256: null, score: null },
      {
        id: null,
        source: 'https://example.com/b',
        text: 'aljazeera.com',
        sha256: null,
        score: null,
      },
    ]);
  });

  it('keeps an error chunk sent after the stream began', () => {
    const error = { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' };
    const bytes = Buffer.concat([
      Buffer.from(`[${chunkLines('google/google-text.chunks.txt')[0]}\r\n,`),
      Buffer.from(`${JSON.stringify({ error })}\r\n]`),
    ]);
    const response = assemble(randomChunks(bytes, 3, 20));
    assert.deepEqual(response.error, error);
    assert.equal(textOf(response), 'There are **3**');
    assert.equal(response.usage.source, 'provider', 'the array closed');
    assert.equal(describeAnyError('gemini', { error: response.error }), 'UNAVAILABLE');
  });

  it('reads odd bodies without throwing', () => {
    for (const body of [null, 'text', [], [1, 'x'], { candidates: 'no' }, { candidates: [null] }]) {
      assert.deepEqual(parseResponse(body).output, []);
    }
    const garbage = assemble([Buffer.from('[{"candidates": [}\r\n,{"x":1}]')]);
    assert.deepEqual(garbage.output, []);
  });
});

describe('Gemini parseRequest', () => {
  const body = {
    systemInstruction: { parts: [{ text: 'You are a weather bot.' }, { text: 'Be brief.' }] },
    contents: [
      {
        role: 'user',
        parts: [
          { text: 'Weather here? See the photo, the clip and the report.' },
          { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
          { fileData: { mimeType: 'video/mp4', fileUri: 'https://example.com/files/clip' } },
          { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
        ],
      },
      {
        role: 'model',
        parts: [
          { text: 'The user wants the weather.', thought: true },
          { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'c2ln' },
        ],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'weather', response: { temperature: 18 } } }],
      },
      { role: 'model', parts: [{ text: 'It is 18°C.' }] },
    ],
    tools: [
      {
        functionDeclarations: [
          {
            name: 'weather',
            description: 'Weather for a city',
            parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } },
          },
        ],
      },
      { googleSearch: {} },
      { codeExecution: {} },
    ],
    toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
    generationConfig: { temperature: 0.5, thinkingConfig: { includeThoughts: true } },
    safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
    cachedContent: 'cachedContents/abc123',
  };

  it('reads the model and stream from the path', () => {
    const streamed = parseRequest(
      body,
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
    assert.equal(streamed.model, 'gemini-2.5-flash');
    assert.equal(streamed.stream, true);
    const whole = parseRequest(body, '/v1/models/gemini-2.5-pro:generateContent');
    assert.equal(whole.model, 'gemini-2.5-pro');
    assert.equal(whole.stream, false);
    const encoded = parseRequest({}, '/v1beta/models/gemini%2D2.0%2Dflash:generateContent?key=k');
    assert.equal(encoded.model, 'gemini-2.0-flash');
  });

  it('keeps every other field as a parameter, and has no user', () => {
    const request = parseRequest(body, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.deepEqual(request.parameters, {
      toolConfig: body.toolConfig,
      generationConfig: body.generationConfig,
      safetySettings: body.safetySettings,
      cachedContent: 'cachedContents/abc123',
    });
    assert.equal(request.userId, null);
    assert.equal(request.previousResponseId, null);
    assert.equal(request.retrieval, null);
  });

  it('reads the system instruction as a Content or a string', () => {
    const path = '/v1beta/models/gemini-2.5-flash:generateContent';
    assert.equal(parseRequest(body, path).system, 'You are a weather bot.\n\nBe brief.');
    assert.equal(parseRequest({ systemInstruction: 'Plain.' }, path).system, 'Plain.');
    assert.equal(parseRequest({ system_instruction: { parts: { text: 'x' } } }, path).system, null);
    assert.equal(parseRequest({ system_instruction: { text: 'Part.' } }, path).system, 'Part.');
    assert.equal(parseRequest({}, path).system, null);
  });

  it('reads contents in the GenAI shape', () => {
    const [question, call, result, answer] = parseRequest(
      body,
      '/v1beta/models/gemini-2.5-flash:generateContent',
    ).messages;
    assert.deepEqual(question, {
      role: 'user',
      parts: [
        { type: 'text', content: 'Weather here? See the photo, the clip and the report.' },
        { type: 'blob', mimeType: 'image/jpeg', modality: 'image', content: '/9j/4AAQ' },
        {
          type: 'uri',
          mimeType: 'video/mp4',
          modality: 'video',
          uri: 'https://example.com/files/clip',
        },
        { type: 'blob', mimeType: 'application/pdf', modality: null, content: 'JVBERi0=' },
      ],
    });
    assert.deepEqual(call, {
      role: 'assistant',
      parts: [
        { type: 'reasoning', content: 'The user wants the weather.' },
        { type: 'tool_call', id: null, name: 'weather', arguments: { city: 'Paris' } },
      ],
    });
    assert.deepEqual(result, {
      role: 'user',
      // Gemini links a result to its call by name: the name is kept.
      parts: [
        { type: 'tool_call_response', id: null, response: { temperature: 18 }, name: 'weather' },
      ],
    });
    assert.deepEqual(answer, {
      role: 'assistant',
      parts: [{ type: 'text', content: 'It is 18°C.' }],
    });
  });

  it('reads function declarations and built-in tools', () => {
    const request = parseRequest(body, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.deepEqual(request.tools, [
      {
        type: 'function',
        name: 'weather',
        description: 'Weather for a city',
        parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } },
      },
      { type: 'googleSearch', name: null, description: null, parameters: {} },
      { type: 'codeExecution', name: null, description: null, parameters: {} },
    ]);
    assert.equal(parseRequest({}, '/v1beta/models/m:generateContent').tools, null);
  });

  it('reads the proto field names of Google curl examples', () => {
    const request = parseRequest(
      {
        system_instruction: { parts: [{ text: 'Be brief.' }] },
        contents: [
          {
            parts: [
              { inline_data: { mime_type: 'audio/wav', data: 'UklGRg==' } },
              { function_response: { id: 'call-1', name: 'f', response: { ok: true } } },
            ],
          },
        ],
        tools: [{ function_declarations: [{ name: 'f' }], google_search: {} }],
        generation_config: { max_output_tokens: 10 },
      },
      '/v1beta/models/gemini-2.5-flash:generateContent',
    );
    assert.equal(request.system, 'Be brief.');
    assert.deepEqual(request.messages, [
      {
        role: 'user',
        parts: [
          { type: 'blob', mimeType: 'audio/wav', modality: 'audio', content: 'UklGRg==' },
          { type: 'tool_call_response', id: 'call-1', response: { ok: true }, name: 'f' },
        ],
      },
    ]);
    assert.deepEqual(
      request.tools?.map((tool) => [tool.type, tool.name]),
      [
        ['function', 'f'],
        ['googleSearch', null],
      ],
    );
    assert.deepEqual(request.parameters, { generation_config: { max_output_tokens: 10 } });
  });

  it('reads odd bodies without throwing', () => {
    for (const odd of [null, 'text', [], { contents: 'no', tools: {} }, { contents: [null] }]) {
      const request = parseRequest(odd, '/v1beta/models/m:generateContent');
      assert.deepEqual(request.messages, []);
      assert.equal(request.model, 'm');
    }
  });
});

describe('Gemini family and errors', () => {
  it('matches the model paths, for POST only, whatever the query', () => {
    assert.equal(familyFor('gemini'), geminiFamily);
    const matches = [
      '/v1beta/models/gemini-2.5-flash:generateContent',
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      '/v1/models/gemini-2.5-pro:streamGenerateContent',
    ];
    for (const path of matches) assert.equal(geminiFamily.apiFor('POST', path), generateContentApi);
    assert.equal(geminiFamily.apiFor('post', matches[0] ?? ''), generateContentApi);
    assert.equal(geminiFamily.apiFor('GET', matches[0] ?? ''), null);
    for (const path of [
      '/v1beta/models',
      '/v1beta/models/gemini-2.5-flash',
      '/v1beta/models/gemini-2.5-flash:countTokens',
      '/v1beta/models/gemini-2.5-flash:embedContent',
      '/v1beta/files',
    ]) {
      assert.equal(geminiFamily.apiFor('POST', path), null, path);
    }
    assert.equal(generateContentApi.endpoint, 'generate_content');
  });

  it('names a recorded error by its status', () => {
    const body = jsonBody('google/google-429-retry-info.json');
    assert.equal(describeError(body), 'RESOURCE_EXHAUSTED');
    assert.equal(describeAnyError('gemini', body), 'RESOURCE_EXHAUSTED');
    assert.equal(describeError([body]), 'RESOURCE_EXHAUSTED');
    assert.equal(describeError({ candidates: [] }), null);
    assert.equal(describeError('Bad Gateway'), null);
  });

  it('answers in Google’s error shape', () => {
    assert.deepEqual(errorBody(429, 'rate_limited', 'too many requests'), {
      error: {
        code: 429,
        message: 'too many requests',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'rate_limited',
            domain: 'auditgate',
          },
        ],
      },
    });
    const statusOf = (status: number) =>
      (geminiFamily.errorBody(status, 'code', 'm') as { error: { status: string } }).error.status;
    assert.equal(statusOf(400), 'INVALID_ARGUMENT');
    assert.equal(statusOf(401), 'UNAUTHENTICATED');
    assert.equal(statusOf(404), 'NOT_FOUND');
    assert.equal(statusOf(413), 'INVALID_ARGUMENT');
    assert.equal(statusOf(502), 'UNAVAILABLE');
    assert.equal(statusOf(504), 'DEADLINE_EXCEEDED');
    assert.equal(statusOf(418), 'INVALID_ARGUMENT');
    assert.equal(statusOf(599), 'INTERNAL');
  });
});
