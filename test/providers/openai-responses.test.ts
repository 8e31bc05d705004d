import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

import { describeError, errorBody } from '../../src/providers/openai-responses/errors.js';
import { normaliseFinishReason } from '../../src/providers/openai-responses/finish-reason.js';
import { responsesApi } from '../../src/providers/openai-responses/index.js';
import { parseRequest } from '../../src/providers/openai-responses/request.js';
import { parseResponse } from '../../src/providers/openai-responses/response.js';
import { createStreamAssembler } from '../../src/providers/openai-responses/stream.js';
import { openaiFamily } from '../../src/providers/registry.js';
import type { ParsedResponse } from '../../src/providers/types.js';
import { chunkLines, jsonBody, randomChunks, splitAt } from './fixtures.js';

const folder = 'openai-responses/';

/**
 * A Responses stream as sent: `event: <type>` and `data: <json>` per recorded line. The type
 * is read with a pattern, not a parse: the parallel-wrapper recording has two malformed JSON
 * lines, kept as recorded.
 */
function responsesStream(name: string): Buffer {
  const events = chunkLines(`${folder}${name}`).map((line) => {
    const type = /"type"\s*:\s*"([^"]+)"/.exec(line)?.[1] ?? 'message';
    return `event: ${type}\ndata: ${line}\n\n`;
  });
  return Buffer.from(events.join(''));
}

function assemble(chunks: Uint8Array[]): ParsedResponse {
  const assembler = createStreamAssembler();
  for (const chunk of chunks) assembler.write(chunk);
  return assembler.finish();
}

/** The bytes of a framed stream up to the end of the first event that contains `marker`. */
function throughEvent(bytes: Buffer, marker: string): Buffer {
  const at = bytes.indexOf(marker);
  assert.ok(at > 0, `the recording has ${marker}`);
  return bytes.subarray(0, bytes.indexOf('\n\n', at) + 2);
}

function partsOf(response: ParsedResponse, type: string): string[] {
  return (response.output[0]?.parts ?? []).flatMap((part) =>
    part.type === type && (part.type === 'text' || part.type === 'reasoning') ? [part.content] : [],
  );
}

const missing = {
  inputTokens: null,
  outputTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  reasoningTokens: null,
  source: 'missing',
  raw: null,
};

describe('Responses stream: two or more chained tool calls in one stream', () => {
  // Four responses recorded one after another (three calculator calls, then the answer).
  const bytes = responsesStream('openai-reasoning-encrypted-content.1.chunks.txt');
  const calls = [
    {
      id: 'call_AB6AaRZ1FYZB2RwS6A5vbdqn',
      name: 'calculator',
      arguments: { a: 12, b: 7, op: 'add' },
    },
    {
      id: 'call_Q6pW65MUgW9vF59BmItYGos3',
      name: 'calculator',
      arguments: { a: 19, b: 3, op: 'multiply' },
    },
    {
      id: 'call_Zl5vIMnD7dVAjgU6FkhmiCZh',
      name: 'calculator',
      arguments: { a: 57, b: 10, op: 'multiply' },
    },
  ];

  function assertWhole(response: ParsedResponse): void {
    assert.deepEqual(response.toolCalls, calls, 'every tool call, not only the first');
    assert.equal(response.id, 'resp_01830d662ab3856501693c3217ba4c8190a3ddf6c839d4f12a');
    assert.equal(response.model, 'gpt-5.1-codex-max');
    assert.deepEqual(response.finishReasons, ['completed', 'completed', 'completed', 'completed']);
    assert.equal(response.finishReason, 'stop', 'the last response answers in text');
    assert.deepEqual(partsOf(response, 'text'), ['The final result is **570**.']);
    const [reasoning = ''] = partsOf(response, 'reasoning');
    assert.equal(reasoning.length, 163);
    assert.ok(reasoning.startsWith('**Calculating step-by-step using calculator**\n\nI'));
    assert.deepEqual(
      response.output[0]?.parts.map((part) => part.type),
      ['reasoning', 'tool_call', 'tool_call', 'tool_call', 'text'],
    );
    // 134 + 221 + 260 + 299 input and 28 + 26 + 26 + 12 output tokens, each response's own.
    assert.equal(response.usage.inputTokens, 914);
    assert.equal(response.usage.outputTokens, 92);
    assert.equal(response.usage.cacheReadTokens, 0);
    assert.equal(response.usage.reasoningTokens, 0);
    assert.equal(response.usage.source, 'provider');
    assert.deepEqual(
      (response.usage.raw as { total_tokens: number }[]).map((usage) => usage.total_tokens),
      [162, 247, 286, 311],
    );
    assert.equal(response.error, null);
    assert.equal(response.retrieval, null);
  }

  it('records every call, whole and under random splits', () => {
    assertWhole(assemble([bytes]));
    for (let seed = 1; seed <= 20; seed += 1) assertWhole(assemble(randomChunks(bytes, seed)));
  });

  it('records every call of one response that makes two calls at once', () => {
    const [first, second] = calls;
    const stream = twoCallStream();
    const response = assemble(randomChunks(stream, 5, 16));
    assert.deepEqual(response.toolCalls, [first, second]);
    assert.equal(response.finishReason, 'tool_call');
    assert.equal(response.usage.outputTokens, 40);
  });

  it('keeps the first call whole and the second as raw text when cut inside it', () => {
    const cut = throughEvent(bytes, '"delta":"19"');
    const response = assemble(randomChunks(cut, 9));
    assert.deepEqual(response.toolCalls, [
      calls[0],
      { id: 'call_Q6pW65MUgW9vF59BmItYGos3', name: 'calculator', arguments: '{"a":19' },
    ]);
    assert.equal(response.finishReason, null, 'the second response never finished');
    assert.deepEqual(response.finishReasons, ['completed']);
    assert.equal(response.usage.source, 'partial');
    assert.equal(response.usage.inputTokens, 134);
    assert.equal(response.usage.outputTokens, 28);
  });
});

/**
 * One response with two function calls side by side (output indexes 0 and 1), the calls of
 * the recording above. Their arguments stream interleaved, and the `output_item.done`
 * events are left out, so that the arguments come from the deltas alone.
 */
function twoCallStream(): Buffer {
  const item = (index: number, id: string, callId: string) => ({
    type: 'response.output_item.added',
    output_index: index,
    item: { id, type: 'function_call', arguments: '', call_id: callId, name: 'calculator' },
  });
  const delta = (index: number, id: string, text: string) => ({
    type: 'response.function_call_arguments.delta',
    item_id: id,
    output_index: index,
    delta: text,
  });
  const usage = { input_tokens: 134, output_tokens: 40, output_tokens_details: {} };
  const events = [
    { type: 'response.created', response: { id: 'resp_two', model: 'gpt-5.1-codex-max' } },
    item(0, 'fc_a', 'call_AB6AaRZ1FYZB2RwS6A5vbdqn'),
    item(1, 'fc_b', 'call_Q6pW65MUgW9vF59BmItYGos3'),
    delta(0, 'fc_a', '{"a":12,"b":'),
    delta(1, 'fc_b', '{"a":19,"b":3,'),
    delta(0, 'fc_a', '7,"op":"add"}'),
    delta(1, 'fc_b', '"op":"multiply"}'),
    { type: 'response.completed', response: { id: 'resp_two', status: 'completed', usage } },
  ];
  return Buffer.from(
    events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join(''),
  );
}

describe('Responses stream: the parallel wrapper (parallel-tool-call-wrapper.1)', () => {
  const bytes = responsesStream('parallel-tool-call-wrapper.1.chunks.txt');

  it('records the wrapper as the one call it is, naming both calls, at every split point', () => {
    const expected = [
      {
        id: 'call_parallel',
        name: 'parallel',
        arguments: {
          tool_uses: [
            { recipient_name: 'functions.weather', parameters: { location: 'San Francisco' } },
            { recipient_name: 'functions.cityAttractions', parameters: { city: 'Rome' } },
          ],
        },
      },
    ];
    for (let index = 0; index <= bytes.length; index += 1) {
      assert.deepEqual(assemble(splitAt(bytes, index)).toolCalls, expected, `split at ${index}`);
    }
  });

  it('keeps the wrapper as sent in the output, and nothing from the malformed lines', () => {
    const response = assemble(randomChunks(bytes, 3));
    const [part] = response.output[0]?.parts ?? [];
    assert.equal(part?.type, 'tool_call');
    assert.equal(part?.type === 'tool_call' ? part.name : '', 'parallel');
    assert.equal(part?.type === 'tool_call' ? part.id : '', 'call_parallel');
    // The first line (response.created) and the last (response.completed) are not JSON.
    assert.equal(response.id, null);
    assert.equal(response.model, null);
    assert.equal(response.finishReason, null);
    assert.deepEqual(response.usage, missing);
  });

  it('reads the recorded whole body the same way, with its usage', () => {
    const response = parseResponse(jsonBody(`${folder}parallel-tool-call-wrapper.1.json`));
    assert.deepEqual(
      response.toolCalls.map((call) => [call.id, call.name]),
      [['call_parallel', 'parallel']],
    );
    assert.equal(response.id, 'resp_parallel');
    assert.equal(response.model, 'gpt-5.4');
    assert.equal(response.finishReason, 'tool_call');
    assert.equal(response.usage.inputTokens, 34);
    assert.equal(response.usage.outputTokens, 28);
  });
});

describe('Responses stream: custom tool (openai-custom-tool.1)', () => {
  const bytes = responsesStream('openai-custom-tool.1.chunks.txt');
  const call = {
    id: 'call_custom_sql_001',
    name: 'write_sql',
    arguments: 'SELECT * FROM users WHERE age > 25',
  };

  it('assembles the free-text input at every split point', () => {
    for (let index = 0; index <= bytes.length; index += 1) {
      const response = assemble(splitAt(bytes, index));
      assert.deepEqual(response.toolCalls, [call], `split at ${index}`);
      assert.equal(response.finishReason, 'tool_call');
      assert.equal(response.usage.inputTokens, 50);
    }
  });

  it('reads id, model, usage and finish reason', () => {
    const response = assemble(randomChunks(bytes, 11));
    assert.equal(response.id, 'resp_custom_tool_test_001');
    assert.equal(response.model, 'gpt-5.2-codex');
    assert.deepEqual(response.finishReasons, ['completed']);
    assert.deepEqual(response.output[0]?.parts, [{ type: 'tool_call', ...call }]);
    assert.equal(response.usage.outputTokens, 20);
    assert.equal(response.usage.cacheReadTokens, 0);
    assert.equal(response.usage.reasoningTokens, 0);
    assert.equal((response.usage.raw as { total_tokens: number }).total_tokens, 70);
  });

  it('keeps the input streamed so far when cut before the item is done', () => {
    const response = assemble([throughEvent(bytes, '"delta":"FROM users "')]);
    assert.deepEqual(response.toolCalls, [{ ...call, arguments: 'SELECT * FROM users ' }]);
    assert.deepEqual(response.usage, missing);
  });

  it('marks content once the tool call item opens', () => {
    const assembler = createStreamAssembler();
    assembler.write(throughEvent(bytes, '"type":"response.in_progress"'));
    assert.equal(assembler.sawContent, false);
    assembler.write(
      throughEvent(bytes, '"type":"response.output_item.added"').subarray(
        throughEvent(bytes, '"type":"response.in_progress"').length,
      ),
    );
    assert.equal(assembler.sawContent, true);
  });
});

describe('Responses stream: usage only in response.completed', () => {
  const bytes = responsesStream('openai-mcp-tool-approval.2.chunks.txt');

  function assertTokens(response: ParsedResponse): void {
    assert.equal(response.usage.inputTokens, 553);
    assert.equal(response.usage.outputTokens, 371);
    assert.equal(response.usage.cacheReadTokens, 0);
    assert.equal(response.usage.reasoningTokens, 256);
    assert.equal(response.usage.source, 'provider');
  }

  it('records the tokens, for string input and for structured input_text parts alike', () => {
    const text = 'Shorten https://ai-sdk.dev/ with at most 100 clicks.';
    const structured = [{ role: 'user', content: [{ type: 'input_text', text }] }];
    for (const input of [text, structured]) {
      const request = parseRequest({ model: 'gpt-5-mini', stream: true, input });
      assert.deepEqual(request.messages, [
        { role: 'user', parts: [{ type: 'text', content: text }] },
      ]);
      assert.equal(request.stream, true);
      assertTokens(assemble(randomChunks(bytes, input === text ? 1 : 2)));
    }
  });

  it('has no usage before response.completed: the other events carry `usage: null`', () => {
    const beforeEnd = bytes.subarray(0, bytes.indexOf('event: response.completed'));
    const cut = assemble([beforeEnd]);
    assert.deepEqual(cut.usage, missing);
    assert.equal(cut.finishReason, null);
    assertTokens(assemble([bytes]));
  });

  it('assembles the answer text and the MCP tool listing leaves no part', () => {
    const response = assemble(randomChunks(bytes, 4));
    const [text = ''] = partsOf(response, 'text');
    assert.equal(text.length, 470);
    assert.ok(text.startsWith('I wasn’t able to create the short link because the URL-shortening'));
    assert.deepEqual(
      response.output[0]?.parts.map((part) => part.type),
      ['text'],
    );
    assert.equal(response.id, 'resp_04a97b4fce127879006949a855fa68819598a2a379fd5b6c38');
    assert.equal(response.finishReason, 'stop');
    assert.deepEqual(response.toolCalls, []);
  });

  it('marks content at the first text delta, not at the items before it', () => {
    const assembler = createStreamAssembler();
    assembler.write(throughEvent(bytes, '"type":"response.content_part.added"'));
    assert.equal(assembler.sawContent, false);
    assembler.write(
      bytes.subarray(throughEvent(bytes, '"type":"response.content_part.added"').length),
    );
    assert.equal(assembler.sawContent, true);
  });
});

describe('Responses stream: MCP approval request (openai-mcp-tool-approval.1)', () => {
  it('keeps the requested call in the output; the caller has only to approve it', () => {
    const response = assemble(
      randomChunks(responsesStream('openai-mcp-tool-approval.1.chunks.txt'), 6),
    );
    assert.deepEqual(response.output[0]?.parts, [
      {
        type: 'tool_call',
        id: 'mcpr_04a97b4fce127879006949a83ac9308195a7f7b69ea82e91fe',
        name: 'create_short_url',
        arguments: {
          alias: '',
          description: 'Shortened link for ai-sdk.dev',
          max_clicks: 100,
          password: '',
          url: 'https://ai-sdk.dev/',
        },
      },
    ]);
    assert.deepEqual(response.toolCalls, []);
    assert.equal(response.finishReason, 'stop');
    assert.equal(response.usage.inputTokens, 422);
    assert.equal(response.usage.outputTokens, 48);
  });

  it('records an MCP call the provider ran as a tool call, with the server answer', () => {
    const response = parseResponse({
      id: 'resp_1',
      status: 'completed',
      output: [
        {
          id: 'mcp_1',
          type: 'mcp_call',
          server_label: 'zip1',
          name: 'create_short_url',
          arguments: '{"url":"https://ai-sdk.dev/"}',
          output: '{"short_url":"https://zip1.io/abc"}',
        },
      ],
    });
    const call = {
      id: 'mcp_1',
      name: 'create_short_url',
      arguments: { url: 'https://ai-sdk.dev/' },
    };
    assert.deepEqual(response.toolCalls, [call]);
    assert.deepEqual(response.output[0]?.parts, [
      { type: 'tool_call', ...call },
      { type: 'tool_call_response', id: 'mcp_1', response: '{"short_url":"https://zip1.io/abc"}' },
    ]);
  });
});

describe('Responses: file search (openai-file-search-tool.1)', () => {
  const bytes = responsesStream('openai-file-search-tool.1.chunks.txt');

  it('assembles text, the search as a tool call part, cached and reasoning tokens', () => {
    const response = assemble(randomChunks(bytes, 8));
    assert.equal(response.id, 'resp_0459517ad68504ad0068cabfba22b88192836339640e9a765a');
    assert.equal(response.model, 'gpt-5-mini-2025-08-07');
    const [text = ''] = partsOf(response, 'text');
    assert.equal(text.length, 383);
    assert.ok(
      text.startsWith('According to the document, an embedding model converts complex data'),
    );
    assert.deepEqual(response.output[0]?.parts[0], {
      type: 'tool_call',
      id: 'fs_0459517ad68504ad0068cabfbd76888192a5dc4475fadabf8a',
      name: 'file_search',
      arguments: {
        queries: [
          'What is an embedding model according to this document?',
          'What is an embedding model defined as in the document?',
          'definition of embedding model',
        ],
      },
    });
    assert.deepEqual(response.toolCalls, [], 'the search ran at OpenAI');
    assert.equal(response.usage.inputTokens, 3737);
    assert.equal(response.usage.cacheReadTokens, 2304);
    assert.equal(response.usage.outputTokens, 621);
    assert.equal(response.usage.reasoningTokens, 512);
    // The request did not `include` file_search_call.results: a search ran, no documents.
    assert.deepEqual(response.retrieval, []);
    assert.equal(response.finishReason, 'stop');
  });

  it('reads the whole body', () => {
    const response = parseResponse(jsonBody(`${folder}openai-file-search-tool.1.json`));
    assert.equal(response.id, 'resp_0a098396a8feca410068caae39e7648196b346e99fa8ec494c');
    const [text = ''] = partsOf(response, 'text');
    assert.equal(text.length, 439);
    assert.ok(text.startsWith('According to the document, an embedding model is used to convert'));
    assert.equal(response.usage.inputTokens, 3700);
    assert.equal(response.usage.cacheReadTokens, 2560);
    assert.equal(response.usage.outputTokens, 741);
    assert.equal(response.usage.reasoningTokens, 640);
    assert.deepEqual(response.retrieval, []);
  });

  it('records each file search result as a retrieved document with its score', () => {
    // The recorded body with the results a request that includes them gets back.
    const body = structuredClone(jsonBody(`${folder}openai-file-search-tool.1.json`)) as {
      output: { type: string; results: unknown }[];
    };
    const search = body.output.find((item) => item.type === 'file_search_call');
    assert.ok(search);
    search.results = [
      {
        file_id: 'file-Ebzhf8H4DPGPr9pUhr7n7v',
        filename: 'ai.pdf',
        score: 0.9312,
        text: 'An embedding model converts data into vectors.',
      },
      {
        file_id: 'file-Ebzhf8H4DPGPr9pUhr7n7v',
        filename: 'ai.pdf',
        score: 0.7125,
        text: 'Embeddings capture meaning.',
      },
    ];
    assert.deepEqual(parseResponse(body).retrieval, [
      {
        id: 'file-Ebzhf8H4DPGPr9pUhr7n7v',
        source: 'ai.pdf',
        text: 'An embedding model converts data into vectors.',
        sha256: null,
        score: 0.9312,
      },
      {
        id: 'file-Ebzhf8H4DPGPr9pUhr7n7v',
        source: 'ai.pdf',
        text: 'Embeddings capture meaning.',
        sha256: null,
        score: 0.7125,
      },
    ]);
  });

  it('records web search sources and opened pages as documents', () => {
    const response = parseResponse({
      status: 'completed',
      output: [
        {
          id: 'ws_1',
          type: 'web_search_call',
          status: 'completed',
          action: {
            type: 'search',
            query: 'weather berlin',
            sources: [{ type: 'url', url: 'https://example.com/berlin' }],
          },
        },
        {
          id: 'ws_2',
          type: 'web_search_call',
          action: { type: 'open_page', url: 'https://example.org/' },
        },
      ],
    });
    assert.deepEqual(
      response.retrieval?.map((document) => document.source),
      ['https://example.com/berlin', 'https://example.org/'],
    );
    assert.deepEqual(response.output[0]?.parts[0], {
      type: 'tool_call',
      id: 'ws_1',
      name: 'web_search',
      arguments: { type: 'search', query: 'weather berlin' },
    });
  });
});

describe('Responses: errors (openai-error.1)', () => {
  it('keeps the error event of a stream that failed, with no usage', () => {
    const response = assemble(randomChunks(responsesStream('openai-error.1.chunks.txt'), 2));
    const error = response.error as { type: string; code: string; message: string };
    assert.equal(error.type, 'insufficient_quota');
    assert.equal(error.code, 'insufficient_quota');
    assert.ok(error.message.startsWith('You exceeded your current quota'));
    assert.equal(response.id, 'resp_05500b38c2cd9bfc00691c7c9d222481a3b595421266dab424');
    assert.equal(response.model, 'gpt-5-nano-2025-08-07');
    assert.deepEqual(response.finishReasons, ['failed']);
    assert.equal(response.finishReason, 'error');
    assert.deepEqual(response.usage, missing);
    assert.equal(
      describeError({ error: response.error }),
      'insufficient_quota: insufficient_quota',
    );
  });

  it("keeps a failed response's error when no error event came", () => {
    const failed = {
      type: 'response.failed',
      response: { id: 'resp_1', status: 'failed', error: { code: 'server_error', message: 'x' } },
    };
    const response = assemble([Buffer.from(`data: ${JSON.stringify(failed)}\n\n`)]);
    assert.deepEqual(response.error, { code: 'server_error', message: 'x' });
    assert.equal(response.finishReason, 'error');
  });

  it('reads the top-level fields of an error event in the documented shape', () => {
    const event = {
      type: 'error',
      code: 'rate_limit_exceeded',
      message: 'slow down',
      param: null,
      sequence_number: 4,
    };
    const response = assemble([Buffer.from(`event: error\ndata: ${JSON.stringify(event)}\n\n`)]);
    assert.deepEqual(response.error, {
      code: 'rate_limit_exceeded',
      message: 'slow down',
      param: null,
    });
  });

  it('reads the recorded error body and answers in the OpenAI shape', () => {
    const response = parseResponse(jsonBody(`${folder}openai-error.1.json`));
    assert.equal((response.error as { code: string }).code, 'insufficient_quota');
    assert.deepEqual(response.output, []);
    assert.deepEqual(errorBody(413, 'body_too_large', 'request body is over the limit'), {
      error: {
        message: 'request body is over the limit',
        type: 'invalid_request_error',
        param: null,
        code: 'body_too_large',
      },
    });
  });
});

describe('Responses parseResponse: recorded bodies', () => {
  it('reads reasoning summaries, text and usage (openai-reasoning-encrypted-content.1)', () => {
    const response = parseResponse(jsonBody(`${folder}openai-reasoning-encrypted-content.1.json`));
    assert.equal(response.id, 'resp_0f35ed53160b395301693cc957829881909359e7f80cdd20b5');
    assert.equal(response.model, 'gpt-5-mini-2025-08-07');
    const [reasoning = ''] = partsOf(response, 'reasoning');
    assert.equal(reasoning.length, 399);
    assert.ok(reasoning.startsWith('**Reporting final result**\n\nThe tool returned 570'));
    assert.deepEqual(partsOf(response, 'text'), [
      '12 + 7 = 19\n19 × 3 = 57\n57 × 10 = 570\n\nFinal result: 570',
    ]);
    assert.equal(response.usage.inputTokens, 865);
    assert.equal(response.usage.outputTokens, 163);
    assert.equal(response.usage.reasoningTokens, 128);
    assert.equal(response.finishReason, 'stop');
    assert.equal(response.systemFingerprint, null);
  });

  it('reads the custom tool and MCP approval bodies', () => {
    const custom = parseResponse(jsonBody(`${folder}openai-custom-tool.1.json`));
    assert.deepEqual(custom.toolCalls, [
      {
        id: 'call_custom_sql_001',
        name: 'write_sql',
        arguments: 'SELECT * FROM users WHERE age > 25',
      },
    ]);
    assert.equal(custom.finishReason, 'tool_call');
    const approval = parseResponse(jsonBody(`${folder}openai-mcp-tool-approval.1.json`));
    assert.equal(approval.usage.inputTokens, 422);
    assert.equal(approval.usage.outputTokens, 104);
    assert.equal(approval.usage.reasoningTokens, 64);
    const answer = parseResponse(jsonBody(`${folder}openai-mcp-tool-approval.2.json`));
    const [text = ''] = partsOf(answer, 'text');
    assert.equal(text.length, 409);
    assert.ok(text.startsWith("I couldn't create the short link"));
  });

  it('maps incomplete responses, refusals and odd bodies', () => {
    const cut = parseResponse({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Par' }] },
      ],
    });
    assert.deepEqual(cut.finishReasons, ['max_output_tokens']);
    assert.equal(cut.finishReason, 'length');
    const refused = parseResponse({
      status: 'incomplete',
      incomplete_details: { reason: 'content_filter' },
      output: [
        { type: 'message', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] },
      ],
    });
    assert.equal(refused.finishReason, 'content_filter');
    assert.equal(refused.refusal, 'I cannot help with that.');
    for (const body of [null, 'text', [], { output: 'no' }, { output: [null, 1] }]) {
      const response = parseResponse(body);
      assert.deepEqual(response.output, []);
      assert.equal(response.usage.source, 'missing');
    }
  });

  it('maps finish reasons', () => {
    const call = { type: 'function_call' };
    assert.equal(normaliseFinishReason('completed', undefined), 'stop');
    assert.equal(normaliseFinishReason('completed', call), 'tool_call');
    assert.equal(normaliseFinishReason('completed', { type: 'custom_tool_call' }), 'tool_call');
    assert.equal(normaliseFinishReason('completed', { type: 'message' }), 'stop');
    assert.equal(normaliseFinishReason('max_output_tokens', call), 'length');
    assert.equal(normaliseFinishReason('content_filter', undefined), 'content_filter');
    assert.equal(normaliseFinishReason('failed', undefined), 'error');
    assert.equal(normaliseFinishReason('cancelled', undefined), 'other');
    assert.equal(normaliseFinishReason(null, call), null);
  });
});

describe('Responses: every recording', () => {
  const directory = fileURLToPath(new URL(`../fixtures/recorded/${folder}`, import.meta.url));
  const names = readdirSync(directory).sort();

  it('assembles each stream the same however its bytes are split', () => {
    const streams = names.filter((name) => name.endsWith('.chunks.txt'));
    assert.ok(streams.length >= 7);
    for (const name of streams) {
      const bytes = responsesStream(name);
      const whole = assemble([bytes]);
      for (let seed = 1; seed <= 5; seed += 1) {
        assert.deepEqual(assemble(randomChunks(bytes, seed, 24)), whole, `${name}, seed ${seed}`);
      }
    }
  });

  it('reads each body with the usage the body states', () => {
    const bodies = names.filter((name) => name.endsWith('.json'));
    assert.ok(bodies.length >= 7);
    for (const name of bodies) {
      const body = jsonBody(`${folder}${name}`) as { usage?: { input_tokens: number } };
      assert.equal(parseResponse(body).usage.inputTokens, body.usage?.input_tokens ?? null, name);
    }
  });
});

describe('Responses parseRequest', () => {
  const body = {
    model: 'gpt-5-mini',
    instructions: 'You are terse.',
    previous_response_id: 'resp_01830d662ab3856501693c321345c88190b0de00f3b9975691',
    stream: true,
    store: false,
    reasoning: { effort: 'high', summary: 'detailed' },
    include: ['reasoning.encrypted_content'],
    safety_identifier: 'hashed-id',
    input: [
      { role: 'developer', content: 'Answer in French.' },
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'What is in these?' },
          { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
          { type: 'input_image', image_url: 'https://example.com/cat.jpg', detail: 'low' },
          { type: 'input_image', file_id: 'file-img', detail: 'auto' },
          { type: 'input_file', file_id: 'file-abc', filename: 'report.pdf' },
          {
            type: 'input_file',
            filename: 'a.pdf',
            file_data: 'data:application/pdf;base64,JVBERi0=',
          },
          { type: 'input_file', file_url: 'https://example.com/b.pdf' },
        ],
      },
      {
        id: 'rs_1',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Add first.' }],
        encrypted_content: 'gAAAA',
      },
      {
        type: 'function_call',
        id: 'fc_1',
        call_id: 'call_AB6AaRZ1FYZB2RwS6A5vbdqn',
        name: 'calculator',
        arguments: '{"a":12,"b":7,"op":"add"}',
      },
      { type: 'function_call_output', call_id: 'call_AB6AaRZ1FYZB2RwS6A5vbdqn', output: '19' },
      { type: 'custom_tool_call', call_id: 'call_sql', name: 'write_sql', input: 'SELECT 1' },
      {
        type: 'custom_tool_call_output',
        call_id: 'call_sql',
        output: [{ type: 'input_text', text: '1 row' }],
      },
      { type: 'item_reference', id: 'msg_old' },
      { role: 'assistant', content: [{ type: 'output_text', text: '19, then 57.' }] },
    ],
    tools: [
      {
        type: 'function',
        name: 'calculator',
        description: 'A minimal calculator.',
        parameters: { type: 'object', properties: { a: { type: 'number' } } },
        strict: true,
      },
      { type: 'custom', name: 'write_sql', description: 'SQL.', format: { type: 'grammar' } },
      { type: 'file_search', vector_store_ids: ['vs_68caad8bd5d88191ab766cf043d89a18'] },
      { type: 'web_search' },
      {
        type: 'mcp',
        server_label: 'zip1',
        server_description: 'Link shortener',
        server_url: 'https://zip1.io/mcp',
        require_approval: 'always',
        headers: { Authorization: 'Bearer secret-token' },
      },
    ],
  };

  it('reads model, stream, parameters, system, previous response and user', () => {
    const request = parseRequest(body);
    assert.equal(request.model, 'gpt-5-mini');
    assert.equal(request.stream, true);
    assert.equal(request.system, 'You are terse.\n\nAnswer in French.');
    assert.equal(
      request.previousResponseId,
      'resp_01830d662ab3856501693c321345c88190b0de00f3b9975691',
    );
    assert.equal(request.userId, 'hashed-id');
    assert.equal(parseRequest({ ...body, user: 'user-42' }).userId, 'user-42');
    assert.deepEqual(request.parameters, {
      model: 'gpt-5-mini',
      previous_response_id: 'resp_01830d662ab3856501693c321345c88190b0de00f3b9975691',
      stream: true,
      store: false,
      reasoning: { effort: 'high', summary: 'detailed' },
      include: ['reasoning.encrypted_content'],
      safety_identifier: 'hashed-id',
    });
    assert.equal(request.retrieval, null);
  });

  it('reads input items as messages in the GenAI shape', () => {
    const [user, assistant, result, customCall, customResult, answer, ...rest] =
      parseRequest(body).messages;
    assert.deepEqual(rest, []);
    assert.deepEqual(user, {
      role: 'user',
      parts: [
        { type: 'text', content: 'What is in these?' },
        { type: 'blob', mimeType: 'image/png', modality: 'image', content: 'iVBORw0KGgo=' },
        { type: 'uri', mimeType: null, modality: 'image', uri: 'https://example.com/cat.jpg' },
        { type: 'file', mimeType: null, fileId: 'file-img', name: null },
        { type: 'file', mimeType: null, fileId: 'file-abc', name: 'report.pdf' },
        { type: 'blob', mimeType: 'application/pdf', modality: null, content: 'JVBERi0=' },
        { type: 'uri', mimeType: null, modality: null, uri: 'https://example.com/b.pdf' },
      ],
    });
    assert.deepEqual(assistant, {
      role: 'assistant',
      parts: [
        { type: 'reasoning', content: 'Add first.' },
        {
          type: 'tool_call',
          id: 'call_AB6AaRZ1FYZB2RwS6A5vbdqn',
          name: 'calculator',
          arguments: { a: 12, b: 7, op: 'add' },
        },
      ],
    });
    assert.deepEqual(result, {
      role: 'tool',
      parts: [{ type: 'tool_call_response', id: 'call_AB6AaRZ1FYZB2RwS6A5vbdqn', response: '19' }],
    });
    assert.deepEqual(customCall, {
      role: 'assistant',
      parts: [{ type: 'tool_call', id: 'call_sql', name: 'write_sql', arguments: 'SELECT 1' }],
    });
    assert.deepEqual(customResult, {
      role: 'tool',
      parts: [{ type: 'tool_call_response', id: 'call_sql', response: '1 row' }],
    });
    assert.deepEqual(answer, {
      role: 'assistant',
      parts: [{ type: 'text', content: '19, then 57.' }],
    });
  });

  it('reads function, custom and built-in tools, leaving out MCP credentials', () => {
    const tools = parseRequest(body).tools;
    assert.deepEqual(tools, [
      {
        type: 'function',
        name: 'calculator',
        description: 'A minimal calculator.',
        parameters: { type: 'object', properties: { a: { type: 'number' } } },
      },
      { type: 'custom', name: 'write_sql', description: 'SQL.', parameters: { type: 'grammar' } },
      {
        type: 'file_search',
        name: null,
        description: null,
        parameters: { vector_store_ids: ['vs_68caad8bd5d88191ab766cf043d89a18'] },
      },
      { type: 'web_search', name: null, description: null, parameters: null },
      {
        type: 'mcp',
        name: 'zip1',
        description: 'Link shortener',
        parameters: {
          server_label: 'zip1',
          server_description: 'Link shortener',
          server_url: 'https://zip1.io/mcp',
          require_approval: 'always',
        },
      },
    ]);
    assert.ok(!JSON.stringify(tools).includes('secret-token'));
    assert.equal(parseRequest({ model: 'm', input: 'hi' }).tools, null);
  });

  it('reads a string input as one user message, and no instructions as no system', () => {
    const request = parseRequest({ model: 'gpt-5-mini', input: 'Hello there' });
    assert.deepEqual(request.messages, [
      { role: 'user', parts: [{ type: 'text', content: 'Hello there' }] },
    ]);
    assert.equal(request.system, null);
    assert.equal(request.previousResponseId, null);
    assert.equal(request.stream, false);
    assert.equal(request.userId, null);
  });

  it('reads search results sent back in the input as retrieved documents', () => {
    const request = parseRequest({
      input: [
        {
          type: 'file_search_call',
          id: 'fs_1',
          queries: ['embedding'],
          results: [{ file_id: 'file-1', filename: 'ai.pdf', score: 0.5, text: 'Vectors.' }],
        },
      ],
    });
    assert.deepEqual(request.retrieval, [
      { id: 'file-1', source: 'ai.pdf', text: 'Vectors.', sha256: null, score: 0.5 },
    ]);
  });

  it('never throws on odd bodies', () => {
    for (const odd of [null, 42, 'text', [], { input: 42, tools: {} }, { input: [null, 1, 'x'] }]) {
      const request = parseRequest(odd);
      assert.deepEqual(request.messages, []);
      assert.equal(request.system, null);
      assert.equal(request.stream, false);
    }
  });
});

describe('Responses registration', () => {
  it('is the API for POST /v1/responses in the OpenAI family', () => {
    assert.equal(openaiFamily.apiFor('POST', '/v1/responses'), responsesApi);
    assert.equal(openaiFamily.apiFor('post', '/v1/responses?stream=true'), responsesApi);
    assert.equal(openaiFamily.apiFor('GET', '/v1/responses'), null);
    assert.equal(openaiFamily.apiFor('POST', '/v1/responses/resp_1/cancel'), null);
    assert.equal(responsesApi.endpoint, 'responses');
  });
});
