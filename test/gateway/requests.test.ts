import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  startUpstream,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

/** A POST sent exactly as written: fetch and most clients would normalise `..` away. */
function rawPost(url: string, path: string, body: string) {
  return new Promise<{ status: number; eventId: string; body: string }>((resolve, reject) => {
    const target = new URL(url);
    const outgoing = httpRequest(
      { host: target.hostname, port: target.port, method: 'POST', path },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            eventId: String(response.headers['x-auditgate-event-id'] ?? ''),
            body: text,
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('what the gateway checks in a request, and what it never records', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"candidates":[],"usageMetadata":{"promptTokenCount":3,"totalTokenCount":3}}');
    });
    config = writeConfig({
      providers: {
        gemini: { type: 'gemini', baseUrl: upstream.url },
        local: { type: 'openai-compatible', baseUrl: `${upstream.url}/prefix` },
      },
    });
    gateway = await startTestGateway({ simulate: false, configFile: config.path });
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
    config.remove();
  });

  it('forwards a key sent in the query string, and records only its fingerprint', async () => {
    const path = '/v1beta/models/gemini-2.5-flash:generateContent?key=AIzaSECRET-QUERY-KEY-42';
    const response = await fetch(`${gateway.url}/gemini${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}',
    });
    await response.arrayBuffer();
    assert.equal(upstream.requests.at(-1)?.url, path);

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(
      event.request?.path,
      '/v1beta/models/gemini-2.5-flash:generateContent?key=[redacted]',
    );
    assert.equal(event.identity.authMethod, 'provider_key');
    assert.match(event.identity.keyFingerprint ?? '', /^sha256:[0-9a-f]{12}$/);
    const stored = ['auditgate.db', 'auditgate.db-wal']
      .map((name) => join(gateway.dataFolder, name))
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file).toString('latin1'))
      .join('');
    assert.ok(!stored.includes('SECRET-QUERY-KEY'));
  });

  it('refuses . and .. segments, which could climb out of the base URL, and records it', async () => {
    const before = upstream.requests.length;
    for (const path of ['/local/../../admin/secret', '/local/v1/%2E%2E/%2e%2e/admin']) {
      const answer = await rawPost(gateway.url, path, '{}');
      assert.equal(answer.status, 400, path);
      assert.equal(
        (JSON.parse(answer.body) as { error: { code: string } }).error.code,
        'invalid_path',
      );
      const event = await gateway.event(answer.eventId);
      assert.equal(event.outcome.status, 'rejected');
    }
    assert.equal(upstream.requests.length, before);
  });

  it('answers an empty body on an inference path itself, as it does a body that is not JSON', async () => {
    const before = upstream.requests.length;
    const response = await fetch(`${gateway.url}/local/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test' },
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.deepEqual(
      [body.error.code, body.error.message],
      ['invalid_json', 'request body is empty'],
    );
    assert.equal(upstream.requests.length, before);
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.outcome.status, 'rejected');
  });
});
