import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { startGateway } from '../../src/gateway/start.js';

describe('auth configuration', () => {
  const folder = mkdtempSync(join(tmpdir(), 'auditgate-auth-config-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  function configFile(name: string, text: string): string {
    const file = join(folder, name);
    writeFileSync(file, text);
    return file;
  }

  function problemsOf(load: () => unknown): string[] {
    try {
      load();
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.problems;
    }
    return assert.fail('expected a ConfigError');
  }

  it('fills the JWT claim mapping with sub for the user', () => {
    const file = configFile(
      'jwt.yaml',
      'auth:\n  jwt: { jwksFile: ./jwks.json, issuer: https://idp, audience: auditgate }\n',
    );
    const config = loadConfig({ file, environment: {} });
    assert.deepEqual(config.auth.jwt?.claims, { user: 'sub' });
  });

  it('wants exactly one of jwksFile and jwksUrl', () => {
    const both = configFile(
      'both.yaml',
      'auth:\n  jwt: { jwksFile: a.json, jwksUrl: "https://idp/jwks", issuer: i, audience: a }\n',
    );
    const [problem] = problemsOf(() => loadConfig({ file: both, environment: {} }));
    assert.match(
      problem ?? '',
      /^auth\.jwt\.jwksFile: expected exactly one of a jwks file and a jwks url, got /,
    );
    const neither = configFile('neither.yaml', 'auth:\n  jwt: { issuer: i, audience: a }\n');
    const [missing] = problemsOf(() => loadConfig({ file: neither, environment: {} }));
    assert.match(
      missing ?? '',
      /^auth\.jwt\.jwksFile: expected exactly one of a jwks file and a jwks url, got /,
    );
  });

  it('stops the start when the JWKS file cannot be read, naming the key', async () => {
    const file = configFile(
      'missing.yaml',
      `auth:\n  jwt: { jwksFile: ${join(folder, 'nowhere.json')}, issuer: i, audience: a }\n`,
    );
    await assert.rejects(
      startGateway({
        configFile: file,
        dataFolder: join(folder, 'data'),
        port: 0,
        environment: {},
      }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /^auth\.jwt\.jwksFile: cannot be read as a JWKS \(ENOENT/.test(error.problems[0] ?? ''),
    );
  });
});
