import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'auditgate-config-')), 'auditgate.yaml');
  writeFileSync(file, text);
  return file;
}

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('fills every default when no file is given', () => {
    const config = loadConfig({ environment: {} });
    assert.equal(config.limits.maxBodyBytes, 33_554_432);
    assert.equal(config.limits.upstreamTimeoutMs, 600_000);
    assert.deepEqual(config.capture, { mode: 'full', maxContentBytes: 1_048_576, overrides: [] });
    assert.deepEqual(config.privacy, {
      regions: ['US', 'GB'],
      names: true,
      strategies: {},
      defaultStrategy: 'redact',
      failureMode: 'redact',
    });
    assert.equal(config.durability, 'relaxed');
    assert.deepEqual(config.store, { type: 'sqlite' });
    // Left out, it is decided at start by the address the gateway listens on.
    assert.equal(config.auth.requireKey, undefined);
    assert.equal(config.providers, undefined);
  });

  it('checks privacy and capture keys: regions, strategies, overrides', () => {
    const file = configFile(
      [
        'privacy:',
        '  regions: [FR, XX]',
        '  strategies: { email: hide, person: keep }',
        '  defaultStrategy: keep',
        'capture:',
        '  overrides: [{ mode: metadata }]',
      ].join('\n'),
    );
    const problems = problemsOf(() => loadConfig({ file, environment: {} }));
    const paths = problems.map((problem) => problem.split(':')[0]).sort();
    assert.deepEqual(paths, [
      'capture.overrides.0',
      'privacy.defaultStrategy',
      'privacy.regions.1',
      'privacy.strategies.email',
    ]);
  });

  it('reads the example configuration shipped with the project', () => {
    const config = loadConfig({
      file: new URL('../../auditgate.example.yaml', import.meta.url).pathname,
      environment: {},
    });
    assert.equal(config.providers?.openai?.baseUrl, 'https://api.openai.com');
  });

  it('names each unknown or malformed key by its path', () => {
    const file = configFile(
      [
        'providers:',
        '  openai: { type: openai, baseUrl: not-a-url, colour: blue }',
        '  api: { type: openai, baseUrl: https://example.com }',
        'limits: { maxBodyBytes: -1 }',
        'durabilty: strict',
      ].join('\n'),
    );
    const problems = problemsOf(() => loadConfig({ file, environment: {} }));
    assert.ok(
      problems.some((line) => line.startsWith('providers.openai.baseUrl:')),
      problems.join(),
    );
    assert.ok(problems.includes('providers.openai.colour: unknown key'), problems.join());
    assert.ok(
      problems.some((line) => /^providers\.api: .*reserved/.test(line)),
      problems.join(),
    );
    assert.ok(
      problems.some((line) => line.startsWith('limits.maxBodyBytes:')),
      problems.join(),
    );
    assert.ok(problems.includes('durabilty: unknown key'), problems.join());
  });

  it('says so when the file is not YAML or cannot be read', () => {
    const broken = configFile('providers: [unclosed');
    assert.match(
      problemsOf(() => loadConfig({ file: broken, environment: {} }))[0]!,
      /not valid YAML/,
    );
    const missing = '/nonexistent/auditgate.yaml';
    assert.match(problemsOf(() => loadConfig({ file: missing, environment: {} }))[0]!, /ENOENT/);
  });

  it('sets any key from AUDITGATE_ variables, values parsed as YAML, over the file', () => {
    const file = configFile('limits: { maxBodyBytes: 1000 }\n');
    const config = loadConfig({
      file,
      environment: {
        AUDITGATE_PROVIDERS__LOCAL__TYPE: 'openai-compatible',
        AUDITGATE_PROVIDERS__LOCAL__BASE_URL: 'http://127.0.0.1:8000',
        AUDITGATE_LIMITS__MAX_BODY_BYTES: '2048',
        AUDITGATE_ADMIN_TOKEN: 'a-long-enough-admin-token',
        AUDITGATE_AUTH__REQUIRE_KEY: 'true',
        AUDITGATE_URL: 'http://127.0.0.1:4000',
        AUDITGATE_SOMETHING_ELSE: 'ignored',
      },
    });
    assert.deepEqual(config.providers?.local, {
      type: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:8000',
    });
    assert.equal(config.limits.maxBodyBytes, 2048);
    assert.equal(config.adminToken, 'a-long-enough-admin-token');
    assert.equal(config.auth.requireKey, true);
  });

  it('names a malformed value that came from the environment', () => {
    const problems = problemsOf(() =>
      loadConfig({ environment: { AUDITGATE_DURABILITY: 'sometimes' } }),
    );
    assert.ok(
      problems.some((line) => line.startsWith('durability:')),
      problems.join(),
    );
  });
});
