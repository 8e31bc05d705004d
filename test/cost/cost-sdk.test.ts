import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Each expected cost is worked out by hand from src/cost/prices.json (USD per million tokens)
 * and the recorded usage, written beside it; none is computed by the code under test.
 */
describe('the cost of each call, through the official SDKs', () => {
  let gateway: TestGateway;
  let openai: OpenAI;

  before(async () => {
    gateway = await startTestGateway();
    openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test-key' });
  });
  after(() => gateway.stop());

  it('an OpenAI chat call with cached prompt tokens pays the cached rate for them', async () => {
    const { response } = await openai.chat.completions
      .create(
        { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Invent a holiday.' }] },
        { headers: { 'x-auditgate-simulate': 'openai-text-cache.derived' } },
      )
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));

    // gpt-4.1-nano: input 0.10, cached input 0.025, output 0.40. Usage: 2016 prompt tokens of
    // which 1920 cached, 300 completion tokens.
    //   uncached input 96 x 0.10 / 1e6 = 0.0000096
    //   cached 1920 x 0.025 / 1e6      = 0.000048
    //   output 300 x 0.40 / 1e6        = 0.00012
    //   total                          = 0.0001776
    assert.deepEqual(event.cost, {
      amountUsd: 0.0001776,
      breakdown: {
        input: 0.0000096,
        cacheRead: 0.000048,
        cacheWrite: 0,
        output: 0.00012,
        reasoning: 0,
        fees: 0,
      },
      priceVersion: gateway.context.pricing.prices.version,
      source: 'computed',
    });
    // Uncached, the same call would be 2016 x 0.10 / 1e6 + 0.00012 = 0.0003216.
    assert.ok((event.cost?.amountUsd ?? Infinity) < 0.0003216);
  });

  it('an OpenAI Responses call with cached and reasoning tokens (a real recording)', async () => {
    const { response } = await openai.responses
      .create(
        { model: 'gpt-5-mini', input: 'What does the file say?' },
        { headers: { 'x-auditgate-simulate': 'openai-file-search-tool.1' } },
      )
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));

    // gpt-5-mini: input 0.25, cached input 0.025, output 2.00. Usage: 3700 input of which 2560
    // cached, 741 output of which 640 reasoning.
    //   uncached input 1140 x 0.25 / 1e6 = 0.000285
    //   cached 2560 x 0.025 / 1e6        = 0.000064
    //   output 101 x 2.00 / 1e6          = 0.000202
    //   reasoning 640 x 2.00 / 1e6       = 0.00128
    //   total                            = 0.001831
    assert.equal(event.cost?.amountUsd, 0.001831);
    assert.deepEqual(event.cost?.breakdown, {
      input: 0.000285,
      cacheRead: 0.000064,
      cacheWrite: 0,
      output: 0.000202,
      reasoning: 0.00128,
      fees: 0,
    });
  });

  it('a streamed call costs exactly what the same call costs unstreamed', async () => {
    const stream = await openai.chat.completions
      .create(
        {
          model: 'gpt-4.1-nano',
          stream: true,
          messages: [{ role: 'user', content: 'Invent a holiday.' }],
        },
        { headers: { 'x-auditgate-simulate': 'openai-text-cache.derived' } },
      )
      .withResponse();
    for await (const chunk of stream.data) void chunk;
    const event = await gateway.event(stream.response.headers.get('x-auditgate-event-id'));

    assert.equal(event.request?.stream, true);
    // The same 0.0001776 as the whole answer above, worked out the same way.
    assert.equal(event.cost?.amountUsd, 0.0001776);
    assert.equal(event.cost?.source, 'computed');
  });

  it('an Anthropic call pays 5-minute and 1-hour cache writes and cache reads apart', async () => {
    const anthropic = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: 'sk-ant-x' });
    const { response } = await anthropic.messages
      .create(
        {
          model: 'claude-sonnet-4-5',
          max_tokens: 256,
          messages: [{ role: 'user', content: 'Hello, how are you?' }],
        },
        { headers: { 'x-auditgate-simulate': 'anthropic-text-cache-write.derived' } },
      )
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));

    // Anthropic counts input_tokens apart from the cache: 12 + 2048 read + 1024 written.
    assert.deepEqual(
      [event.usage?.inputTokens, event.usage?.cacheReadTokens, event.usage?.cacheWriteTokens],
      [3084, 2048, 1024],
    );
    // claude-sonnet-4-5: input 3, 5m writes 3.75, 1h writes 6, cache hits 0.30, output 15.
    //   input 12 x 3 / 1e6                                   = 0.000036
    //   cache read 2048 x 0.30 / 1e6                         = 0.0006144
    //   cache write 768 x 3.75 / 1e6 + 256 x 6 / 1e6         = 0.00288 + 0.001536 = 0.004416
    //   output 29 x 15 / 1e6                                 = 0.000435
    //   total                                                = 0.0055014
    assert.deepEqual(event.cost?.breakdown, {
      input: 0.000036,
      cacheRead: 0.0006144,
      cacheWrite: 0.004416,
      output: 0.000435,
      reasoning: 0,
      fees: 0,
    });
    assert.equal(event.cost?.amountUsd, 0.0055014);
  });

  it('a Gemini call pays its thinking tokens at the output rate', async () => {
    const gemini = new GoogleGenAI({
      apiKey: 'gemini-test-key',
      httpOptions: {
        baseUrl: `${gateway.url}/gemini`,
        headers: { 'x-auditgate-simulate': 'google-reasoning' },
      },
    });
    const answer = await gemini.models.generateContent({
      model: 'gemini-3-pro-preview',
      contents: 'Why is the sky blue?',
    });
    const eventId = answer.sdkHttpResponse?.headers?.['x-auditgate-event-id'] ?? null;
    const event = await gateway.event(eventId);

    // Gemini reports 29 candidate tokens and 282 thoughts apart; output counts both (311).
    assert.deepEqual([event.usage?.outputTokens, event.usage?.reasoningTokens], [311, 282]);
    // gemini-3-pro-preview (prompts up to 200k): input 2.00, output 12.00.
    //   input 9 x 2 / 1e6        = 0.000018
    //   output 29 x 12 / 1e6     = 0.000348
    //   thinking 282 x 12 / 1e6  = 0.003384
    //   total                    = 0.00375
    assert.deepEqual(event.cost?.breakdown, {
      input: 0.000018,
      cacheRead: 0,
      cacheWrite: 0,
      output: 0.000348,
      reasoning: 0.003384,
      fees: 0,
    });
    assert.equal(event.cost?.amountUsd, 0.00375);
  });

  it('a model without a price costs null (unknown), never 0, and the event is flagged', async () => {
    const { response } = await openai.responses
      .create(
        { model: 'gpt-5.2-codex', input: 'Write a tool call.' },
        { headers: { 'x-auditgate-simulate': 'openai-custom-tool.1' } },
      )
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));

    assert.equal(event.response?.model, 'gpt-5.2-codex');
    assert.equal(event.usage?.inputTokens, 50);
    assert.deepEqual(event.cost, {
      amountUsd: null,
      breakdown: null,
      priceVersion: gateway.context.pricing.prices.version,
      source: 'unknown',
    });
    assert.deepEqual(event.policy, [
      {
        ruleId: 'cost.price_unknown',
        policyVersion: null,
        category: 'cost',
        action: 'flag',
        severity: 'low',
        findings: [{ type: 'price_unknown', count: 1 }],
        model: 'gpt-5.2-codex',
      },
    ]);
  });

  it('a transcribed price (gpt-5.4) is used like any other', async () => {
    const { response } = await openai.responses
      .create(
        { model: 'gpt-5.4', input: 'Plan two tool calls.' },
        { headers: { 'x-auditgate-simulate': 'parallel-tool-call-wrapper.1' } },
      )
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));

    // gpt-5.4 (transcribed): input 2.50, output 15.00. Usage: 34 input, 28 output tokens.
    //   input 34 x 2.50 / 1e6  = 0.000085
    //   output 28 x 15 / 1e6   = 0.00042
    //   total                  = 0.000505
    assert.deepEqual(event.cost, {
      amountUsd: 0.000505,
      breakdown: {
        input: 0.000085,
        cacheRead: 0,
        cacheWrite: 0,
        output: 0.00042,
        reasoning: 0,
        fees: 0,
      },
      priceVersion: gateway.context.pricing.prices.version,
      source: 'computed',
    });
    assert.deepEqual(event.policy, []);
  });

  it('a call the gateway refused before the provider cost nothing', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    assert.equal(response.status, 400);
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.cost?.amountUsd, 0);
    assert.equal(event.cost?.source, 'computed');
  });
});
