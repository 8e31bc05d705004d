/**
 * Anthropic thinking, server tools, retrieval and refusals, read from the recordings in
 * test/fixtures/recorded/anthropic/. Every expected value below was read from those files,
 * except in the tests that say they write a shape no recording has.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseRequest } from '../../src/providers/anthropic-messages/request.js';
import { parseResponse } from '../../src/providers/anthropic-messages/response.js';
import { createStreamAssembler } from '../../src/providers/anthropic-messages/stream.js';
import { recordOrEmpty } from '../../src/providers/json.js';
import type { ParsedResponse } from '../../src/providers/types.js';
import { anthropicStream, chunkObjects, jsonBody, randomChunks } from './fixtures.js';

const WEB_SEARCH_JSON = 'anthropic/anthropic-web-search-tool.1.json';
const WEB_SEARCH_STREAM = 'anthropic/anthropic-web-search-tool.1.chunks.txt';
const REFUSAL =
  'This request triggered restrictions on violative cyber content and was blocked under ' +
  "Anthropic's Usage Policy.";

function assemble(chunks: Uint8Array[]): ParsedResponse {
  const assembler = createStreamAssembler();
  for (const chunk of chunks) assembler.write(chunk);
  return assembler.finish();
}

/** Frames stream events as Anthropic sends them, for recordings changed in a test. */
function framed(events: Record<string, unknown>[]): Buffer {
  const text = events.map(
    (event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}`,
  );
  return Buffer.from(`${text.join('\n\n')}\n\n`);
}

/** A recorded whole body with some top-level fields replaced. */
function bodyWith(name: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { ...(jsonBody(name) as Record<string, unknown>), ...fields };
}

function urls(response: ParsedResponse): (string | null)[] {
  return (response.retrieval ?? []).map((document) => document.source);
}

describe('Anthropic thinking', () => {
  it('reads a streamed thinking block as reasoning and never keeps its signature', () => {
    const bytes = anthropicStream('anthropic/anthropic-clear-thinking.1.chunks.txt');
    for (let seed = 1; seed <= 10; seed += 1) {
      const response = assemble(randomChunks(bytes, seed, 40));
      assert.deepEqual(response.output[0]?.parts[0], {
        type: 'reasoning',
        content: 'The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185',
      });
      assert.doesNotMatch(JSON.stringify(response), /EvQBCkYICxgCKkAxhD4N/);
      assert.equal(response.finishReason, 'stop');
      assert.equal(response.usage.outputTokens, 53);
    }
  });

  it('reads a whole thinking block as reasoning and never keeps its signature', () => {
    const response = parseResponse(jsonBody('anthropic/anthropic-clear-thinking.1.json'));
    assert.deepEqual(response.output[0]?.parts[0], {
      type: 'reasoning',
      content: '925 divided by 5 = 185',
    });
    assert.doesNotMatch(JSON.stringify(response), /Er4BCkYICxgCKkCoxqLH/);
    assert.equal(response.usage.outputTokens, 33);
    assert.equal(response.retrieval, null);
  });

  it('records redacted thinking as [redacted], never its data, in a body and a stream', () => {
    // No recording has redacted thinking: the thinking block of the recording is swapped
    // for one, in the shape of the API reference.
    const data = 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP';
    const redacted = { type: 'redacted_thinking', data };
    const thinking = jsonBody('anthropic/anthropic-clear-thinking.1.json') as {
      content: unknown[];
    };
    const whole = parseResponse({ ...thinking, content: [redacted, thinking.content[1]] });
    assert.deepEqual(whole.output[0]?.parts, [
      { type: 'reasoning', content: '[redacted]' },
      { type: 'text', content: '925 ÷ 5 = 185' },
    ]);

    const events = chunkObjects('anthropic/anthropic-clear-thinking.1.chunks.txt').filter(
      (event) => event.index !== 0,
    );
    events.splice(1, 0, { type: 'content_block_start', index: 0, content_block: redacted });
    const streamed = assemble([framed(events)]);
    assert.deepEqual(streamed.output[0]?.parts, whole.output[0]?.parts);
    for (const response of [whole, streamed]) assert.ok(!JSON.stringify(response).includes(data));
  });

  it('keeps the thinking parameter and reads thinking in the history of a request', () => {
    const recorded = jsonBody('anthropic/anthropic-clear-thinking.1.json') as { content: unknown };
    const request = parseRequest({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: 'What is 925 divided by 5?' },
        { role: 'assistant', content: recorded.content },
        { role: 'user', content: 'And that times 2?' },
      ],
    });
    assert.deepEqual(request.parameters.thinking, { type: 'enabled', budget_tokens: 1024 });
    assert.deepEqual(request.messages[1]?.parts, [
      { type: 'reasoning', content: '925 divided by 5 = 185' },
      { type: 'text', content: '925 ÷ 5 = 185' },
    ]);
    assert.doesNotMatch(JSON.stringify(request.messages), /Er4BCkYICxgCKkCoxqLH/);
  });
});

describe('Anthropic server tools and retrieval, whole body', () => {
  const response = parseResponse(jsonBody(WEB_SEARCH_JSON));
  const parts = response.output[0]?.parts ?? [];

  it('keeps both searches and their results in the output, none among the calls', () => {
    assert.deepEqual(parts[0], {
      type: 'tool_call',
      id: 'srvtoolu_01Qxbje4duKBes3Nj42MkZug',
      name: 'web_search',
      arguments: { query: 'tech news today September 26 2024' },
    });
    const results = parts[1];
    assert.equal(results?.type, 'tool_call_response');
    if (results?.type !== 'tool_call_response') return;
    assert.equal(results.id, 'srvtoolu_01Qxbje4duKBes3Nj42MkZug');
    assert.equal((results.response as unknown[]).length, 10);
    assert.deepEqual((results.response as unknown[])[0], {
      type: 'web_search_result',
      title: 'Latest News - Apple Developer',
      url: 'https://developer.apple.com/news/',
      page_age: null,
    });
    assert.deepEqual(parts[3], {
      type: 'tool_call',
      id: 'srvtoolu_01HyorfKHSCsjCUVH6WHcNUC',
      name: 'web_search',
      arguments: { query: '"September 26 2024" tech news breaking' },
    });
    assert.deepEqual(parts[4], {
      type: 'tool_call_response',
      id: 'srvtoolu_01HyorfKHSCsjCUVH6WHcNUC',
      response: [],
    });
    assert.deepEqual(response.toolCalls, []);
    assert.equal(response.finishReason, 'stop');
  });

  it('turns the ten search results into retrieval documents, without encrypted content', () => {
    assert.equal(response.retrieval?.length, 10);
    assert.deepEqual(response.retrieval?.[0], {
      id: null,
      source: 'https://developer.apple.com/news/',
      text: 'Latest News - Apple Developer',
      sha256: null,
      score: null,
    });
    assert.equal(
      response.retrieval?.[9]?.source,
      'https://www.techedt.com/year-in-review-30-top-tech-news-in-2024-that-mattered',
    );
    // The two cited urls are among the results, so they add no document.
    assert.ok(urls(response).includes('https://acecomments.mu.nu/?post=411647'));
    assert.ok(urls(response).includes('https://www.crescendo.ai/news/latest-ai-news-and-updates'));
    assert.doesNotMatch(JSON.stringify(response), /encrypted/);
  });

  it('keeps cited urls as documents, once each, when no result lists them', () => {
    const body = jsonBody(WEB_SEARCH_JSON) as { content: Record<string, unknown>[] };
    const content = body.content.filter((block) => block.type !== 'web_search_tool_result');
    assert.deepEqual(parseResponse({ ...body, content }).retrieval, [
      {
        id: null,
        source: 'https://acecomments.mu.nu/?post=411647',
        text: 'Daily Tech News 26 September 2024',
        sha256: null,
        score: null,
      },
      {
        id: null,
        source: 'https://www.crescendo.ai/news/latest-ai-news-and-updates',
        text: 'The Latest AI News and AI Breakthroughs that Matter Most: 2025 | News',
        sha256: null,
        score: null,
      },
    ]);
  });

  it('keeps the server tool counts in the raw usage', () => {
    assert.equal(response.usage.inputTokens, 27118);
    assert.deepEqual((response.usage.raw as { server_tool_use: unknown }).server_tool_use, {
      web_search_requests: 2,
      web_fetch_requests: 0,
    });
  });

  it('reads a pause_turn stop as other and keeps what the paused turn did', () => {
    const paused = parseResponse(bodyWith(WEB_SEARCH_JSON, { stop_reason: 'pause_turn' }));
    assert.deepEqual(paused.finishReasons, ['pause_turn']);
    assert.equal(paused.finishReason, 'other');
    assert.equal(paused.output[0]?.finishReason, 'pause_turn');
    assert.equal(paused.retrieval?.length, 10);
  });
});

describe('Anthropic server tools and retrieval, stream', () => {
  const bytes = anthropicStream(WEB_SEARCH_STREAM);

  it('assembles the search, its ten results and the documents under random splits', () => {
    for (let seed = 1; seed <= 10; seed += 1) {
      const response = assemble(randomChunks(bytes, seed, 700));
      const parts = response.output[0]?.parts ?? [];
      assert.deepEqual(parts[0], {
        type: 'tool_call',
        id: 'srvtoolu_01Bj5uzzLcYG5hfueSLcDH8k',
        name: 'web_search',
        arguments: { query: 'tech news today September 26 2025' },
      });
      const results = parts[1];
      assert.ok(results?.type === 'tool_call_response');
      assert.equal(results.id, 'srvtoolu_01Bj5uzzLcYG5hfueSLcDH8k');
      assert.equal((results.response as unknown[]).length, 10);
      assert.deepEqual(response.toolCalls, []);

      assert.equal(response.retrieval?.length, 10);
      assert.deepEqual(response.retrieval?.[0], {
        id: null,
        source: 'https://www.crescendo.ai/news/latest-ai-news-and-updates',
        text: 'The Latest AI News and AI Breakthroughs that Matter Most: 2025 | News',
        sha256: null,
        score: null,
      });
      assert.doesNotMatch(JSON.stringify(response), /encrypted/);
      const serverTools = (response.usage.raw as { server_tool_use: unknown }).server_tool_use;
      assert.deepEqual(serverTools, { web_search_requests: 1, web_fetch_requests: 0 });
    }
  });

  it('gathers citations_delta urls as documents, once each, when no result lists them', () => {
    const events = chunkObjects(WEB_SEARCH_STREAM).filter(
      (event) => recordOrEmpty(event.content_block).type !== 'web_search_tool_result',
    );
    assert.deepEqual(urls(assemble([framed(events)])), [
      'https://www.apple.com/newsroom/2025/09/' +
        'the-all-new-apple-ginza-opens-this-friday-september-26-in-tokyo/',
      'https://future.forem.com/junyu_fang_a216509a97501d/' +
        'fang-junyus-technology-weekly-september-26-2025-2ndd',
      'https://future.forem.com/om_shree_0709/major-tech-news-september-25-2025-5h38',
      'https://9to5mac.com/2025/09/22/ios-26-1-beta-1/',
    ]);
  });
});

describe('Anthropic refusals and tool calls without arguments', () => {
  it('reads the recorded refusal, whole and streamed', () => {
    const whole = parseResponse(jsonBody('anthropic/anthropic-refusal.json'));
    const streamed = assemble([anthropicStream('anthropic/anthropic-refusal.chunks.txt')]);
    for (const response of [whole, streamed]) {
      assert.deepEqual(response.finishReasons, ['refusal']);
      assert.equal(response.finishReason, 'content_filter');
      assert.equal(response.refusal, REFUSAL);
      assert.deepEqual(response.output, [
        { role: 'assistant', parts: [], finishReason: 'refusal' },
      ]);
      assert.equal(response.usage.inputTokens, 18);
      assert.equal(response.usage.outputTokens, 5);
    }
    assert.equal(whole.model, 'claude-fable-5');
    assert.equal(streamed.id, 'msg_01RefusalStreamAbcdefghijk');
  });

  it('falls back to the word refusal without stop_details, whole and streamed', () => {
    const whole = parseResponse(
      bodyWith('anthropic/anthropic-refusal.json', { stop_details: null }),
    );
    const events = chunkObjects('anthropic/anthropic-refusal.chunks.txt').map((event) =>
      event.type === 'message_delta'
        ? { ...event, delta: { stop_reason: 'refusal', stop_sequence: null } }
        : event,
    );
    const streamed = assemble([framed(events)]);
    assert.equal(whole.refusal, 'refusal');
    assert.equal(streamed.refusal, 'refusal');
    assert.equal(streamed.finishReason, 'content_filter');
  });

  it('reads a whole tool call with input {} and keeps the text before it as text', () => {
    const response = parseResponse(jsonBody('anthropic/anthropic-tool-no-args.json'));
    const call = { id: 'toolu_01LRmxn9vGM1d2DZSDBowdZ1', name: 'updateIssueList', arguments: {} };
    assert.deepEqual(response.toolCalls, [call]);
    assert.deepEqual(response.output[0]?.parts[1], { type: 'tool_call', ...call });
    // The model wrote <thinking> tags into its text: that is text, not a thinking block.
    const text = response.output[0]?.parts[0];
    assert.ok(text?.type === 'text');
    assert.match(text.content, /^<thinking>\nThe updateIssueList tool was provided/);
    assert.match(text.content, /Okay, I will update the current issue list:$/);
    assert.equal(response.finishReason, 'tool_call');
    assert.equal(response.usage.inputTokens, 602);
    assert.equal(response.usage.outputTokens, 93);
  });

  it('reads a streamed tool call whose only input delta is empty as {}', () => {
    const response = assemble(
      randomChunks(anthropicStream('anthropic/anthropic-tool-no-args.chunks.txt'), 3, 8),
    );
    assert.deepEqual(response.toolCalls, [
      { id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', arguments: {} },
    ]);
    assert.equal(response.finishReason, 'tool_call');
    assert.equal(response.usage.inputTokens, 565);
  });
});

describe('Anthropic server tool shapes with no recording', () => {
  // Written from the API reference (docs.claude.com/en/api/messages), as no recording has them.
  it('reads a web fetch result as a document and drops an encrypted code run output', () => {
    const response = parseResponse({
      id: 'msg_1',
      role: 'assistant',
      stop_reason: 'end_turn',
      content: [
        {
          type: 'server_tool_use',
          id: 'srvtoolu_1',
          name: 'web_fetch',
          input: { url: 'https://example.com/a' },
        },
        {
          type: 'web_fetch_tool_result',
          tool_use_id: 'srvtoolu_1',
          content: {
            type: 'web_fetch_result',
            url: 'https://example.com/a',
            retrieved_at: '2025-09-26T10:00:00Z',
            content: {
              type: 'document',
              title: 'Example A',
              source: { type: 'text', media_type: 'text/plain', data: 'Page text.' },
            },
          },
        },
        {
          type: 'code_execution_tool_result',
          tool_use_id: 'srvtoolu_2',
          content: {
            type: 'encrypted_code_execution_result',
            encrypted_stdout: 'c2VjcmV0',
            stderr: '',
            return_code: 0,
            content: [],
          },
        },
      ],
      usage: { input_tokens: 10, output_tokens: 5 },
    });
    assert.deepEqual(response.retrieval, [
      { id: null, source: 'https://example.com/a', text: 'Example A', sha256: null, score: null },
    ]);
    assert.deepEqual(response.output[0]?.parts[2], {
      type: 'tool_call_response',
      id: 'srvtoolu_2',
      response: {
        type: 'encrypted_code_execution_result',
        stderr: '',
        return_code: 0,
        content: [],
      },
    });
    assert.deepEqual(response.toolCalls, []);
  });

  it('reads server tool blocks in request history without encrypted content', () => {
    const recorded = jsonBody(WEB_SEARCH_JSON) as { content: unknown[] };
    const request = parseRequest({
      model: 'claude-sonnet-4-20250514',
      messages: [
        { role: 'user', content: 'Tech news today?' },
        { role: 'assistant', content: recorded.content.slice(0, 3) },
      ],
    });
    const parts = request.messages[1]?.parts ?? [];
    assert.deepEqual(
      parts.map((part) => part.type),
      ['tool_call', 'tool_call_response', 'text'],
    );
    assert.doesNotMatch(JSON.stringify(request), /encrypted/);
    // The results were retrieved by an earlier call, whose event already lists them.
    assert.equal(request.retrieval, null);
  });

  it('reads a stop_sequence stop as stop', () => {
    const body = { stop_reason: 'stop_sequence', stop_sequence: '\n\nHuman:' };
    const response = parseResponse(bodyWith('anthropic/anthropic-text.json', body));
    assert.deepEqual(response.finishReasons, ['stop_sequence']);
    assert.equal(response.finishReason, 'stop');
  });
});
