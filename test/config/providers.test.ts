import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { backoffMs } from '../../src/gateway/forward.js';
import { resolveProviders } from '../../src/gateway/routing.js';

function load(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'auditgate-config-')), 'auditgate.yaml');
  writeFileSync(file, text);
  return loadConfig({ file, environment: {} });
}

function problemsOf(text: string): string[] {
  try {
    load(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('Bedrock and Azure providers in the configuration', () => {
  it('names the key each type needs', () => {
    assert.deepEqual(problemsOf('providers: { aws: { type: bedrock } }'), [
      'providers.aws.region: is required for a bedrock provider',
    ]);
    assert.deepEqual(problemsOf('providers: { az: { type: azure, apiVersion: 2024-10-21 } }'), [
      'providers.az.resource: is required for an azure provider, unless it has a base url',
    ]);
    assert.deepEqual(problemsOf('providers: { local: { type: openai-compatible } }'), [
      'providers.local.baseUrl: is required for a provider of type openai-compatible',
    ]);
  });

  it('builds the base URL from the region and the resource', () => {
    const config = load(
      [
        'providers:',
        '  aws: { type: bedrock, region: eu-central-1 }',
        '  az: { type: azure, resource: contoso, apiVersion: 2024-10-21 }',
      ].join('\n'),
    );
    const providers = resolveProviders(config, {}, null);
    assert.equal(
      providers.get('aws')?.origin,
      'https://bedrock-runtime.eu-central-1.amazonaws.com',
    );
    assert.equal(providers.get('az')?.origin, 'https://contoso.openai.azure.com');
    assert.equal(providers.get('az')?.apiVersion, '2024-10-21');
    assert.notEqual(providers.get('aws')?.signer, null);
    assert.deepEqual(providers.get('az')?.retry, {
      attempts: 1,
      statusCodes: [429, 500, 502, 503, 504],
      backoffMs: 200,
      maxBackoffMs: 10_000,
    });
  });

  it('fills retry defaults and refuses a status that is not an error', () => {
    const config = load(
      'providers: { o: { type: openai, baseUrl: https://x.test, retry: { attempts: 3 } } }',
    );
    assert.deepEqual(config.providers?.o?.retry, {
      attempts: 3,
      statusCodes: [429, 500, 502, 503, 504],
      backoffMs: 200,
      maxBackoffMs: 10_000,
    });
    const problems = problemsOf(
      'providers: { o: { type: openai, baseUrl: https://x.test, retry: { statusCodes: [200] } } }',
    );
    assert.ok(problems[0]?.startsWith('providers.o.retry.statusCodes.0:'), problems.join());
  });
});

describe('backoff between attempts', () => {
  const retry = { attempts: 5, statusCodes: [429], backoffMs: 100, maxBackoffMs: 1000 };
  const headers = (values: Record<string, string>) => ({ headers: values });

  it('waits a random part of a doubling from backoffMs, never more than maxBackoffMs', () => {
    const attempts = [1, 2, 3, 4, 5];
    const highest = () => 0.999;
    assert.deepEqual(
      attempts.map((attempt) => backoffMs(retry, attempt, headers({}), highest)),
      [99, 199, 399, 799, 999],
    );
    const half = () => 0.5;
    assert.deepEqual(
      attempts.map((attempt) => backoffMs(retry, attempt, headers({}), half)),
      [50, 100, 200, 400, 500],
    );
    assert.equal(
      backoffMs(retry, 3, null, () => 0),
      0,
    );
  });

  it('draws each wait anew, within the doubled backoff', () => {
    const waits = Array.from({ length: 50 }, () => backoffMs(retry, 4, null));
    assert.ok(
      waits.every((wait) => wait >= 0 && wait < 800),
      waits.join(),
    );
    assert.ok(new Set(waits).size > 1, `50 waits were all ${waits[0]}`);
  });

  it("honours the provider's retry-after, in seconds, milliseconds or as a date, within the cap", () => {
    // A retry-after is the provider's to set: no jitter, whatever the random draw.
    assert.equal(
      backoffMs(retry, 1, headers({ 'retry-after': '0.5' }), () => 0),
      500,
    );
    assert.equal(backoffMs(retry, 1, headers({ 'retry-after-ms': '250' })), 250);
    assert.equal(backoffMs(retry, 1, headers({ 'retry-after': '30' })), 1000);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    assert.equal(backoffMs(retry, 1, headers({ 'retry-after': inAMinute })), 1000);
  });
});
