import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countTokens } from 'gpt-tokenizer';
import { createPricing } from '../../src/cost/pricing.js';
import { makeEvent, OUTPUT_TEXT, PROMPT_TEXT, SYSTEM_TEXT } from '../helpers/events.js';

const MISSING = {
  inputTokens: null,
  outputTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  reasoningTokens: null,
  source: 'missing' as const,
  raw: null,
};

test('missing usage stays missing, and the cost unknown, unless estimation is on', () => {
  const event = makeEvent({ usage: MISSING });
  createPricing({ import: [], models: {} }, false).price(event);
  assert.equal(event.usage?.source, 'missing');
  assert.equal(event.cost?.amountUsd, null);
  assert.equal(event.cost?.source, 'unknown');
});

test('with estimateWhenMissing, usage is counted from the text and the cost is estimated', () => {
  const event = makeEvent({ usage: MISSING });
  createPricing({ import: [], models: {} }, true).price(event);

  // The o200k_base counts of the system prompt and message, and of the answer (gpt-tokenizer).
  const input = countTokens(`${SYSTEM_TEXT}\n${PROMPT_TEXT}`);
  const output = countTokens(OUTPUT_TEXT);
  assert.deepEqual([event.usage?.inputTokens, event.usage?.outputTokens], [input, output]);
  assert.equal(event.usage?.source, 'estimated');
  // gpt-4o-mini (the default event's model), transcribed: input 0.15, output 0.60.
  assert.equal(event.cost?.source, 'estimated');
  assert.equal(
    event.cost?.amountUsd,
    Math.round(((input * 0.15 + output * 0.6) / 1e6) * 1e10) / 1e10,
  );

  const priced = makeEvent({ usage: MISSING });
  // An override replaces the bundled price.
  const models = { 'gpt-4o-mini': { provider: 'openai', input: 1, output: 2 } };
  createPricing({ import: [], models }, true).price(priced);
  const expected = Math.round(((input * 1 + output * 2) / 1e6) * 1e10) / 1e10;
  assert.equal(priced.cost?.amountUsd, expected);
  assert.equal(priced.cost?.source, 'estimated');
});
