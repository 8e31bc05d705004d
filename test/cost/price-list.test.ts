import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPriceList, lookupNames, readLiteLlm } from '../../src/cost/price-list.js';

test('a dated model id resolves to its family by the snapshot-date rule, and nothing else is guessed', () => {
  assert.deepEqual(lookupNames('gpt-4.1-nano-2025-04-14'), [
    'gpt-4.1-nano-2025-04-14',
    'gpt-4.1-nano',
  ]);
  assert.deepEqual(lookupNames('claude-sonnet-4-5-20250929'), [
    'claude-sonnet-4-5-20250929',
    'claude-sonnet-4-5',
  ]);
  assert.deepEqual(lookupNames('models/gemini-3-pro-preview'), ['gemini-3-pro-preview']);

  const prices = loadPriceList();
  assert.equal(prices.lookup('gpt-4.1-nano-2025-04-14', 'openai', 'openai')?.model, 'gpt-4.1-nano');
  assert.equal(prices.lookup('gpt-4.1-nano-2025-04-14', 'openai', 'openai')?.input, 0.1);
  // gpt-5.2-codex is not in the list (no price confirmed), and is not gpt-5.
  assert.equal(prices.lookup('gpt-5.2-codex', 'openai', 'openai'), null);
  // Transcribed prices are marked so; the first gpt-4o snapshot keeps its own, older price.
  assert.equal(prices.lookup('gpt-4o-2024-08-06', 'openai', 'openai')?.input, 2.5);
  assert.equal(prices.lookup('gpt-4o-2024-08-06', 'openai', 'openai')?.verified, false);
  assert.equal(prices.lookup('gpt-4o-2024-05-13', 'openai', 'openai')?.input, 5);
  assert.equal(prices.lookup('gpt-4.1-nano', 'openai', 'openai')?.verified, undefined);
  // An Anthropic model is not looked up among OpenAI's prices.
  assert.equal(prices.lookup('claude-opus-4-5', 'openai', 'openai'), null);
  assert.equal(
    prices.lookup('claude-opus-4-5-20251101', 'anthropic', 'anthropic')?.cacheWrite1h,
    10,
  );
});

test('the bundled list carries a version, and overrides give a version of their own', () => {
  const bundled = loadPriceList();
  assert.match(bundled.version, /^\d{4}-\d{2}-\d{2}\.\d+$/);

  const overridden = loadPriceList({
    models: { 'acme-large': { provider: 'openai', input: 1, output: 2, maxOutputTokens: 1000 } },
  });
  assert.match(
    overridden.version,
    new RegExp(`^${bundled.version.replace('.', '\\.')}\\+config\\.[0-9a-f]{8}$`),
  );
  assert.equal(overridden.lookup('acme-large', 'openai', 'openai')?.output, 2);
  assert.equal(bundled.lookup('acme-large', 'openai', 'openai'), null);
});

test("LiteLLM's per-token fields are read as prices per million tokens", () => {
  const entries = readLiteLlm({
    sample_spec: { input_cost_per_token: 0 },
    'deepseek/deepseek-chat': {
      litellm_provider: 'deepseek',
      input_cost_per_token: 0.00000027,
      output_cost_per_token: 0.0000011,
      cache_read_input_token_cost: 0.00000007,
      max_output_tokens: 8192,
    },
    'dall-e-3': { litellm_provider: 'openai', output_cost_per_image: 0.04 },
  });
  assert.equal(entries.length, 1);
  assert.deepEqual(
    { section: entries[0]?.section, model: entries[0]?.model },
    { section: 'deepseek', model: 'deepseek-chat' },
  );
  assert.equal(entries[0]?.price.input, 0.27);
  assert.equal(entries[0]?.price.output, 1.1);
  assert.equal(entries[0]?.price.cacheRead, 0.07);
  assert.equal(entries[0]?.price.maxOutputTokens, 8192);

  const prices = loadPriceList({
    imports: [
      {
        name: 'litellm.json',
        content: {
          'deepseek-chat': { litellm_provider: 'deepseek', input_cost_per_token: 0.00000027 },
        },
      },
    ],
  });
  // An OpenAI-compatible provider is looked up in every section.
  assert.equal(prices.lookup('deepseek-chat', 'openai-compatible', 'deepseek')?.input, 0.27);
});
