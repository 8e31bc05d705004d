import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';

describe('policies in the configuration', () => {
  const folder = mkdtempSync(join(tmpdir(), 'auditgate-policy-config-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  function problemsOf(text: string): string[] {
    const file = join(folder, 'auditgate.yaml');
    writeFileSync(file, text);
    try {
      loadConfig({ file, environment: {} });
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.problems;
    }
    return [];
  }

  it('fill the stage and severity of a rule', () => {
    const file = join(folder, 'ok.yaml');
    writeFileSync(file, 'policies:\n  - { id: cap, action: flag, maxTokens: 10 }\n');
    const config = loadConfig({ file, environment: {} });
    assert.deepEqual(config.policies, [
      { id: 'cap', stage: 'before', action: 'flag', severity: 'medium', maxTokens: 10 },
    ]);
  });

  it('refuse a rule with two checks or none, an unknown action, and a repeated id', () => {
    const [both] = problemsOf(
      'policies:\n  - { id: r, action: flag, maxTokens: 10, allowModels: [m] }\n',
    );
    assert.match(both ?? '', /^policies\.0: expected exactly one check/);
    const [action] = problemsOf('policies:\n  - { id: r, action: hold, maxTokens: 10 }\n');
    assert.match(action ?? '', /^policies\.0\.action: /);
    const [repeated] = problemsOf(
      'policies:\n  - { id: r, action: flag, maxTokens: 1 }\n  - { id: r, action: flag, maxTokens: 2 }\n',
    );
    assert.match(repeated ?? '', /^policies: rule ids must be unique/);
  });
});
