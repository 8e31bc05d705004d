import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { EVENT_ID, outcomeOf } from '../helpers/recorded.js';
import {
  providersAt,
  startUpstream,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

const CHAT_PATH = '/v1/chat/completions';
const MESSAGES_PATH = '/v1/messages';

function recordedBytes(file: string): Buffer {
  return readFileSync(new URL(`../fixtures/recorded/${file}`, import.meta.url));
}
const openaiAnswer = recordedBytes('openai-chat/openai-text.json');
const anthropicAnswer = recordedBytes('anthropic/anthropic-text.json');

function chatBody(content: string): string {
  return JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
}
const messagesBody = JSON.stringify({
  model: 'claude-sonnet-4-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'Hello' }],
});

/** The key fingerprint the gateway stores, computed here from its definition. */
function fingerprint(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** An upstream that answers every call as a provider that succeeded. */
function startAnsweringUpstream(): Promise<TestUpstream> {
  return startUpstream((request, response) => {
    const body = request.url === MESSAGES_PATH ? anthropicAnswer : openaiAnswer;
    response.writeHead(200, {
      'content-type': 'application/json',
      connection: 'keep-alive, x-hop',
      'x-hop': '1',
      'x-kept': 'yes',
    });
    response.end(body);
  });
}

describe('headers on the way up', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startAnsweringUpstream();
    config = writeConfig({ providers: providersAt(upstream.url) });
    gateway = await startTestGateway({ configFile: config.path, simulate: false });
  });

  after(async () => {
    // The upstream first: its open calls would keep the gateway's client from closing.
    await upstream.close();
    await gateway.stop();
    config.remove();
  });

  async function post(path: string, body: string, headers: Record<string, string>) {
    const response = await fetch(gateway.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return { response, text, eventId: response.headers.get('x-auditgate-event-id') };
  }

  it('sends the trace and the caller key upstream, and no x-auditgate-* header', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callsBefore = upstream.requests.length;
    const { response, eventId } = await post('/openai' + CHAT_PATH, chatBody('Hello'), {
      authorization: 'Bearer sk-test-caller',
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      tracestate: 'vendor=opaque',
      'x-auditgate-user': 'user-ada',
      'x-auditgate-session': 'session-9',
      'x-auditgate-app': 'app-atlas',
      'x-auditgate-tags': 'env=test;team=geo',
      'x-auditgate-simulate': 'openai-text',
    });
    assert.equal(response.status, 200);

    const received = await upstream.received(callsBefore + 1);
    assert.equal(received.headers.authorization, 'Bearer sk-test-caller');
    assert.match(
      String(received.headers.traceparent),
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
    );
    assert.equal(received.headers.tracestate, 'vendor=opaque');
    const gatewayHeaders = Object.keys(received.headers).filter((name) =>
      name.startsWith('x-auditgate-'),
    );
    assert.deepEqual(gatewayHeaders, []);

    // The headers that were not forwarded were read into the record.
    const event = await gateway.event(eventId);
    assert.equal(event.identity.userId, 'user-ada');
    assert.equal(event.identity.sessionId, 'session-9');
    assert.equal(event.identity.appId, 'app-atlas');
    assert.deepEqual(event.attribution.tags, { env: 'test', team: 'geo' });
    assert.equal(event.trace.traceId, traceId);
    assert.equal(event.outcome.status, 'ok');
  });

  it('refuses an unknown virtual key in the bearer header with 401 and forwards nothing', async () => {
    const callsBefore = upstream.requests.length;
    const { response, text, eventId } = await post('/openai' + CHAT_PATH, chatBody('Hello'), {
      authorization: 'Bearer agk_x',
    });

    const message = 'the virtual key is not known to this gateway';
    const body = {
      error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    };
    assert.equal(response.status, 401);
    assert.deepEqual(JSON.parse(text), body);
    assert.match(eventId ?? '', EVENT_ID);

    const event = await gateway.event(eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'openai',
      path: CHAT_PATH,
      outcome: { status: 'rejected', error: message },
      httpStatus: 401,
      error: body,
      usageSource: 'missing',
    });
    assert.equal(event.identity.keyFingerprint, fingerprint('agk_x'));
    assert.equal(upstream.requests.length, callsBefore, 'the call reached the upstream');
  });

  it('refuses an unknown virtual key in x-api-key or x-auditgate-key on an Anthropic route', async () => {
    const callsBefore = upstream.requests.length;
    const message = 'the virtual key is not known to this gateway';
    const body = { type: 'error', error: { type: 'authentication_error', message } };

    const keyHeaders: Record<string, string>[] = [
      { 'x-api-key': 'agk_live_1' },
      { 'x-api-key': 'sk-ant-test-provider', 'x-auditgate-key': 'agk_live_2' },
    ];
    for (const headers of keyHeaders) {
      const { response, text, eventId } = await post('/anthropic' + MESSAGES_PATH, messagesBody, {
        'anthropic-version': '2023-06-01',
        ...headers,
      });
      assert.equal(response.status, 401);
      assert.deepEqual(JSON.parse(text), body);

      const event = await gateway.event(eventId);
      assert.deepEqual(event.outcome, { status: 'rejected', error: message });
      assert.equal(event.response?.httpStatus, 401);
    }
    assert.equal(upstream.requests.length, callsBefore, 'a call reached the upstream');
  });
});

describe('hop-by-hop headers', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startAnsweringUpstream();
    config = writeConfig({ providers: providersAt(upstream.url) });
    gateway = await startTestGateway({ configFile: config.path, simulate: false });
  });

  after(async () => {
    await upstream.close();
    await gateway.stop();
    config.remove();
  });

  it('are dropped in both directions, with the headers that Connection names', async () => {
    // fetch refuses to send Connection, so this client is node:http.
    const body = chatBody('Hello');
    const request = httpRequest(new URL(`${gateway.url}/openai${CHAT_PATH}`), {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: 'Bearer sk-test-caller',
        'proxy-authorization': 'Basic dXNlcjpwYXNz',
        connection: 'keep-alive, x-client-hop',
        'x-client-hop': '1',
        'x-client-kept': 'yes',
      },
    });
    request.end(body);
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    request.destroy();

    assert.equal(response.statusCode, 200);
    assert.ok(Buffer.concat(chunks).equals(openaiAnswer), 'the body changed on the way down');
    assert.equal(response.headers['x-kept'], 'yes');
    assert.equal(
      response.headers['x-hop'],
      undefined,
      'x-hop, named by Connection, reached the client',
    );

    const received = upstream.requests.at(-1);
    assert.equal(received?.headers['x-client-kept'], 'yes');
    assert.equal(received?.headers['proxy-authorization'], undefined);
    assert.equal(received?.headers['x-client-hop'], undefined);
    assert.equal(received?.headers.authorization, 'Bearer sk-test-caller');
  });
});

describe('provider keys in storage', () => {
  const secret = 'sk-test-SECRET123';
  // Distinctive prompt text: found in the files, it shows the scan reads what was stored.
  const prompt = 'capital-of-atlantis-7731';

  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startAnsweringUpstream();
    config = writeConfig({ providers: providersAt(upstream.url) });
    gateway = await startTestGateway({ configFile: config.path, simulate: false });
  });

  after(async () => {
    await upstream.close();
    await gateway.stop();
    config.remove();
  });

  async function post(path: string, body: string, headers: Record<string, string>) {
    const response = await fetch(gateway.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    await response.arrayBuffer();
    return { status: response.status, eventId: response.headers.get('x-auditgate-event-id') };
  }

  it('keeps only a fingerprint of the key, in no file of the data folder', async () => {
    const calls = [
      await post('/openai' + CHAT_PATH, chatBody(prompt), { authorization: `Bearer ${secret}` }),
      await post('/anthropic' + MESSAGES_PATH, messagesBody, { 'x-api-key': secret }),
      await post('/openai' + CHAT_PATH, '{not json', { authorization: `Bearer ${secret}` }),
      await post('/nosuch' + CHAT_PATH, chatBody('Hi'), { authorization: `Bearer ${secret}` }),
    ];
    assert.deepEqual(
      calls.map((call) => call.status),
      [200, 200, 400, 404],
    );
    assert.equal(upstream.requests[0]?.headers.authorization, `Bearer ${secret}`);

    for (const call of calls) {
      const event = await gateway.event(call.eventId);
      assert.equal(event.identity.keyFingerprint, fingerprint(secret));
      assert.ok(event.identity.keyFingerprint?.startsWith('sha256:'));
      assert.ok(!JSON.stringify(event).includes('SECRET123'), `event ${event.id} holds the key`);
    }

    const files = filesUnder(gateway.dataFolder);
    assert.ok(
      files.some((file) => file.endsWith('auditgate.db')),
      `files: ${files.join(', ')}`,
    );
    assert.ok(
      files.some((file) => file.endsWith('auditgate.db-wal')),
      `files: ${files.join(', ')}`,
    );
    const stored = Buffer.concat(files.map((file) => readFileSync(file)));
    assert.ok(stored.includes(prompt), 'the stored files do not hold the prompt either');
    assert.ok(!stored.includes('SECRET123'), 'a file in the data folder holds the key');
  });
});

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((name) => join(folder, name))
    .filter((path) => statSync(path).isFile());
}
