import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { ConverseCommand, ServiceUnavailableException } from '@aws-sdk/client-bedrock-runtime';
import { SignatureV4 } from '@smithy/signature-v4';
import OpenAI from 'openai';
import type { AuditEvent } from '../../src/event/types.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { bedrockClient } from '../helpers/bedrock.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { waitForEvent } from '../helpers/recorded.js';
import {
  startUpstream,
  unusedPort,
  writeConfig,
  type ConfigFile,
  type ReceivedRequest,
  type TestUpstream,
} from '../helpers/upstream.js';

const recorded = (name: string) =>
  readFileSync(new URL(`../fixtures/recorded/${name}`, import.meta.url), 'utf8');
const BEDROCK_TEXT = recorded('amazon-bedrock/amazon-bedrock-text.json');
const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const QUESTION = [{ role: 'user' as const, content: [{ text: 'How many r in strawberry?' }] }];

// The gateway's own AWS credentials, as the standard chain reads them from the environment.
const GATEWAY_CREDENTIALS = {
  accessKeyId: 'AKIDGATEWAYEXAMPLE',
  secretAccessKey: 'gateway-secret-access-key',
};
process.env.AWS_ACCESS_KEY_ID = GATEWAY_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = GATEWAY_CREDENTIALS.secretAccessKey;
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;

/** A gateway on `config`, stopped (with its config file) after each test. */
const running: { gateway: TestGateway; config: ConfigFile }[] = [];
async function gatewayWith(settings: Record<string, unknown>): Promise<TestGateway> {
  const config = writeConfig(settings);
  const gateway = await startTestGateway({ configFile: config.path, simulate: false });
  running.push({ gateway, config });
  return gateway;
}
afterEach(async () => {
  for (const { gateway, config } of running.splice(0)) {
    await gateway.stop();
    config.remove();
  }
});

/** Answers a Bedrock error with its exception named in `x-amzn-errortype`. */
function bedrockError(exception: string, message: string, extra: Record<string, string> = {}) {
  return {
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': exception, ...extra },
    body: JSON.stringify({ message }),
  };
}

/**
 * Checks a request's SigV4 signature as Bedrock would: recomputed from the request as
 * received, with the credentials its `Credential=` names. Returns that access key id.
 */
async function verifiedSigner(request: ReceivedRequest): Promise<string> {
  const authorization = String(request.headers.authorization ?? '');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  assert.ok(match, `not a SigV4 authorization header: ${authorization.slice(0, 40)}`);
  const [, accessKeyId, , region, service, signedHeaders, signature] = match;
  assert.equal(accessKeyId, GATEWAY_CREDENTIALS.accessKeyId);
  const headers: Record<string, string> = {};
  for (const name of (signedHeaders ?? '').split(';')) {
    headers[name] = String(request.headers[name]);
  }
  const date = String(request.headers['x-amz-date']);
  const signingDate = new Date(
    `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:` +
      `${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({
    credentials: GATEWAY_CREDENTIALS,
    region: region ?? '',
    service: service ?? '',
    sha256: Sha256,
  });
  const url = new URL(request.url, 'http://upstream');
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: request.url.split('?', 1)[0] ?? '/',
      query: Object.fromEntries(url.searchParams),
      headers,
      body: request.body,
    },
    { signingDate },
  );
  const expectedSignature = /Signature=([0-9a-f]{64})$/.exec(
    String(expected.headers.authorization),
  )?.[1];
  assert.equal(signature, expectedSignature, 'the signature does not verify');
  assert.deepEqual([region, service], ['us-east-1', 'bedrock']);
  return accessKeyId ?? '';
}

describe('Bedrock requests signed by the gateway', () => {
  it("carries a signature valid for the gateway's credentials, not the caller's", async () => {
    const upstream = await startUpstream(async (request, response) => {
      await verifiedSigner(request);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(BEDROCK_TEXT);
    });
    try {
      const gateway = await gatewayWith({
        providers: { bedrock: { type: 'bedrock', region: 'us-east-1', baseUrl: upstream.url } },
      });
      const bedrock = bedrockClient(`${gateway.url}/bedrock`, {
        'x-auditgate-user': 'ada',
        'x-auditgate-key': 'team-a-key',
      });
      const response = await bedrock.client.send(
        new ConverseCommand({ modelId: MODEL, messages: QUESTION }),
      );
      assert.equal(response.stopReason, 'end_turn');

      const received = await upstream.received(1);
      // The caller's session token and its own signature never left the gateway.
      assert.equal(received.headers['x-amz-security-token'], undefined);
      assert.ok(!String(received.headers.authorization).includes('AKIDCALLER'));
      assert.equal(received.headers['x-auditgate-user'], undefined);
      assert.equal(received.headers['x-auditgate-key'], undefined);
      assert.equal(received.url, '/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse');

      const event = await gateway.event(bedrock.lastEventId());
      assert.equal(event.outcome.status, 'ok');
      assert.equal(event.identity.userId, 'ada');
    } finally {
      await upstream.close();
    }
  });
});

describe('Bedrock API keys', () => {
  it("passes a caller's Bedrock API key through unsigned, and sends the gateway's own", async () => {
    const upstream = await startUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(BEDROCK_TEXT);
    });
    try {
      const gateway = await gatewayWith({
        providers: {
          bedrock: { type: 'bedrock', region: 'us-east-1', baseUrl: upstream.url },
          held: {
            type: 'bedrock',
            region: 'us-east-1',
            baseUrl: upstream.url,
            apiKey: 'ABSK-held',
          },
        },
      });
      const path = `/model/${encodeURIComponent(MODEL)}/converse`;
      const body = JSON.stringify({ messages: QUESTION });
      const headers = { 'content-type': 'application/json' };
      const own = await fetch(`${gateway.url}/bedrock${path}`, {
        method: 'POST',
        headers: { ...headers, authorization: 'Bearer ABSK-caller' },
        body,
      });
      assert.equal(own.status, 200);
      await own.text();
      const first = await upstream.received(1);
      assert.equal(first.headers.authorization, 'Bearer ABSK-caller');
      assert.equal(first.headers['x-amz-date'], undefined);

      const held = await fetch(`${gateway.url}/held${path}`, { method: 'POST', headers, body });
      assert.equal(held.status, 200);
      await held.text();
      const second = await upstream.received(2);
      assert.equal(second.headers.authorization, 'Bearer ABSK-held');
      assert.equal(second.headers['x-amz-date'], undefined);
    } finally {
      await upstream.close();
    }
  });
});

describe('retries', () => {
  it('tries a 503 and a 429 again, with one event listing the three attempts', async () => {
    let count = 0;
    const upstream = await startUpstream((_request, response) => {
      count += 1;
      const failure =
        count === 1
          ? { status: 503, ...bedrockError('ServiceUnavailableException', 'try later') }
          : count === 2
            ? {
                status: 429,
                ...bedrockError('ThrottlingException', 'slow down', { 'retry-after': '0' }),
              }
            : null;
      if (failure) {
        response.writeHead(failure.status, failure.headers);
        response.end(failure.body);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(BEDROCK_TEXT);
    });
    try {
      const gateway = await gatewayWith({
        providers: {
          flaky: {
            type: 'bedrock',
            region: 'us-east-1',
            baseUrl: upstream.url,
            retry: { attempts: 3, statusCodes: [429, 503], backoffMs: 5, maxBackoffMs: 20 },
          },
        },
      });
      const bedrock = bedrockClient(`${gateway.url}/flaky`);
      const response = await bedrock.client.send(
        new ConverseCommand({ modelId: MODEL, messages: QUESTION }),
      );
      assert.equal(response.usage?.outputTokens, 57);
      assert.equal(upstream.requests.length, 3);
      // Each attempt is signed anew.
      for (const request of upstream.requests) await verifiedSigner(request);

      const event = await gateway.event(bedrock.lastEventId());
      assert.deepEqual(withoutLatency(event), [
        {
          number: 1,
          provider: 'flaky',
          model: MODEL,
          httpStatus: 503,
          error: 'the provider answered 503 (ServiceUnavailableException)',
          next: 'retry',
        },
        {
          number: 2,
          provider: 'flaky',
          model: MODEL,
          httpStatus: 429,
          error: 'the provider answered 429 (ThrottlingException)',
          next: 'retry',
        },
        { number: 3, provider: 'flaky', model: MODEL, httpStatus: 200, error: null, next: null },
      ]);
      assert.ok(event.attempts.every((attempt) => typeof attempt.latencyMs === 'number'));
      assert.deepEqual([event.outcome.status, event.response?.httpStatus], ['ok', 200]);
      assert.equal(event.usage?.outputTokens, 57);
      const list = await gateway.api('/api/v1/events?provider=flaky');
      assert.equal((list.body as { events: unknown[] }).events.length, 1);
    } finally {
      await upstream.close();
    }
  });

  it("gives the caller the last answer, in Bedrock's shape, once attempts run out", async () => {
    const upstream = await startUpstream((_request, response) => {
      const failure = bedrockError('ServiceUnavailableException', 'still down');
      response.writeHead(503, failure.headers);
      response.end(failure.body);
    });
    try {
      const gateway = await gatewayWith({
        providers: {
          flaky: {
            type: 'bedrock',
            region: 'us-east-1',
            baseUrl: upstream.url,
            retry: { attempts: 2, backoffMs: 1 },
          },
        },
      });
      const bedrock = bedrockClient(`${gateway.url}/flaky`);
      const error = await bedrock.client
        .send(new ConverseCommand({ modelId: MODEL, messages: QUESTION }))
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof ServiceUnavailableException);
      assert.equal(error.message, 'still down');
      const event = await gateway.event(bedrock.lastEventId());
      assert.deepEqual(
        event.attempts.map((attempt) => [attempt.httpStatus, attempt.next]),
        [
          [503, 'retry'],
          [503, null],
        ],
      );
      assert.equal(event.outcome.status, 'upstream_error');
    } finally {
      await upstream.close();
    }
  });

  it('does not try again once a stream has reached the client', async () => {
    const upstream = await startUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(
        'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n',
      );
      setTimeout(() => response.destroy(), 20);
    });
    try {
      const gateway = await gatewayWith({
        providers: {
          openai: {
            type: 'openai',
            baseUrl: upstream.url,
            injectStreamUsage: false,
            retry: { attempts: 3, backoffMs: 1 },
          },
        },
      });
      const response = await fetch(`${gateway.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
        body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [] }),
      });
      assert.equal(response.status, 200);
      const text = await response.text().catch(() => 'cut');
      assert.ok(text === 'cut' || text.includes('"Hi"'));

      const event = await waitForEvent(gateway, response.headers.get('x-auditgate-event-id'));
      assert.equal(upstream.requests.length, 1);
      assert.deepEqual(
        event.attempts.map((attempt) => [attempt.number, attempt.httpStatus, attempt.next]),
        [[1, 200, null]],
      );
      assert.equal(event.outcome.status, 'upstream_error');
    } finally {
      await upstream.close();
    }
  });

  it('tries again after a provider that did not answer in time', async () => {
    let count = 0;
    const upstream = await startUpstream((_request, response) => {
      count += 1;
      if (count === 1) return; // never answers: the gateway's timeout ends this attempt
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(recorded('openai-chat/openai-text.json'));
    });
    try {
      const gateway = await gatewayWith({
        providers: {
          openai: { type: 'openai', baseUrl: upstream.url, retry: { attempts: 2, backoffMs: 1 } },
        },
        limits: { upstreamTimeoutMs: 300 },
      });
      const response = await fetch(`${gateway.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
      });
      assert.equal(response.status, 200);
      await response.text();
      const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
      assert.deepEqual(withoutLatency(event), [
        {
          number: 1,
          provider: 'openai',
          model: 'gpt-4o',
          httpStatus: null,
          error: 'the provider did not answer in time',
          next: 'retry',
        },
        {
          number: 2,
          provider: 'openai',
          model: 'gpt-4o',
          httpStatus: 200,
          error: null,
          next: null,
        },
      ]);
      assert.ok((event.attempts[0]?.latencyMs ?? 0) >= 300);
    } finally {
      await upstream.close();
    }
  });

  it('records an unreachable provider, tried as often as configured', async () => {
    const port = await unusedPort();
    const gateway = await gatewayWith({
      providers: {
        bedrock: {
          type: 'bedrock',
          region: 'eu-west-1',
          baseUrl: `http://127.0.0.1:${port}`,
          retry: { attempts: 2, backoffMs: 1 },
        },
      },
    });
    const bedrock = bedrockClient(`${gateway.url}/bedrock`);
    const error = await bedrock.client
      .send(new ConverseCommand({ modelId: MODEL, messages: QUESTION }))
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof ServiceUnavailableException);
    assert.equal(error.message, 'the provider could not be reached (ECONNREFUSED)');
    assert.equal(error.$metadata.httpStatusCode, 502);

    const event = await gateway.event(bedrock.lastEventId());
    assert.deepEqual(event.outcome, {
      status: 'upstream_unreachable',
      error: 'the provider could not be reached (ECONNREFUSED)',
    });
    assert.deepEqual(withoutLatency(event), [
      {
        number: 1,
        provider: 'bedrock',
        model: MODEL,
        httpStatus: null,
        error: 'the provider could not be reached (ECONNREFUSED)',
        next: 'retry',
      },
      {
        number: 2,
        provider: 'bedrock',
        model: MODEL,
        httpStatus: null,
        error: 'the provider could not be reached (ECONNREFUSED)',
        next: null,
      },
    ]);
  });
});

describe('a route falling back from a failing provider to a second', () => {
  let simulator: Simulator;
  let failing: TestUpstream;
  before(async () => {
    simulator = await startSimulator({ firstChunkDelayMs: 0, chunkDelayMs: 0 });
    failing = await startUpstream((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"overloaded","type":"server_error","code":null}}');
    });
  });
  after(async () => {
    await failing.close();
    await simulator.close();
  });

  it('answers from the second target, on one event listing both attempts and the rewrite', async () => {
    const gateway = await gatewayWith({
      providers: {
        openai: { type: 'openai', baseUrl: failing.url },
        backup: { type: 'openai-compatible', baseUrl: simulator.url, apiKey: 'backup-key' },
      },
      routes: [
        {
          model: 'chat-default',
          targets: [
            { provider: 'openai', model: 'gpt-4o' },
            { provider: 'backup', model: 'llama-3.1-70b' },
          ],
        },
      ],
    });
    const client = new OpenAI({ apiKey: 'sk-caller', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({
        model: 'chat-default',
        messages: [{ role: 'user', content: 'Hello' }],
        temperature: 0.5,
      })
      .withResponse();
    assert.ok((data.choices[0]?.message.content ?? '').length > 0);

    const sent = await failing.received(1);
    assert.equal(
      sent.body,
      '{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"temperature":0.5}',
    );
    // The caller's key went to the provider it called, never to the route's other provider.
    assert.equal(sent.headers.authorization, 'Bearer sk-caller');

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.deepEqual([event.request?.provider, event.request?.model], ['openai', 'chat-default']);
    assert.deepEqual(event.request?.rewrites, [
      {
        path: 'model',
        reason: 'route chat-default, target 1 (openai)',
        from: 'chat-default',
        to: 'gpt-4o',
      },
      {
        path: 'model',
        reason: 'route chat-default, target 2 (backup)',
        from: 'chat-default',
        to: 'llama-3.1-70b',
      },
    ]);
    assert.deepEqual(withoutLatency(event), [
      {
        number: 1,
        provider: 'openai',
        model: 'gpt-4o',
        httpStatus: 503,
        error: 'the provider answered 503 (server_error)',
        next: 'fallback',
      },
      {
        number: 2,
        provider: 'backup',
        model: 'llama-3.1-70b',
        httpStatus: 200,
        error: null,
        next: null,
      },
    ]);
    assert.deepEqual([event.outcome.status, event.response?.httpStatus], ['ok', 200]);
    assert.equal(event.response?.simulated, false);
    const list = await gateway.api('/api/v1/events?model=chat-default');
    assert.equal((list.body as { events: unknown[] }).events.length, 1);
  });

  it('falls back from OpenAI to an Azure deployment on its v1 path, with the key Azure needs', async () => {
    const azure = await startUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(recorded('openai-chat/openai-text.json'));
    });
    try {
      const gateway = await gatewayWith({
        providers: {
          openai: { type: 'openai', baseUrl: failing.url },
          azure: { type: 'azure', baseUrl: azure.url, apiVersion: '2024-10-21', apiKey: 'az-key' },
        },
        routes: [
          {
            model: 'chat-default',
            targets: [
              { provider: 'openai', model: 'gpt-4o' },
              { provider: 'azure', model: 'gpt-4o-prod' },
            ],
          },
        ],
      });
      const client = new OpenAI({
        apiKey: 'sk-caller',
        baseURL: `${gateway.url}/v1`,
        maxRetries: 0,
      });
      const { response } = await client.chat.completions
        .create({ model: 'chat-default', messages: [{ role: 'user', content: 'Hello' }] })
        .withResponse();

      const sent = await azure.received(1);
      assert.equal(sent.url, '/openai/v1/chat/completions');
      assert.equal(sent.headers['api-key'], 'az-key');
      assert.equal(sent.headers.authorization, undefined);
      assert.equal(
        sent.body,
        '{"model":"gpt-4o-prod","messages":[{"role":"user","content":"Hello"}]}',
      );

      const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
      assert.deepEqual(
        event.attempts.map((attempt) => [attempt.provider, attempt.model, attempt.httpStatus]),
        [
          ['openai', 'gpt-4o', 503],
          ['azure', 'gpt-4o-prod', 200],
        ],
      );
      assert.equal(event.response?.model, 'gpt-4.1-nano-2025-04-14');
    } finally {
      await azure.close();
    }
  });

  it('refuses to start when a route names a provider that is not configured', async () => {
    const config = writeConfig({
      providers: { openai: { type: 'openai', baseUrl: failing.url } },
      routes: [
        {
          model: 'chat-default',
          targets: [
            { provider: 'openai', model: 'gpt-4o' },
            { provider: 'nope', model: 'x' },
          ],
        },
      ],
    });
    try {
      await assert.rejects(startTestGateway({ configFile: config.path, simulate: false }), {
        code: 'invalid_config',
        problems: ["routes.0.targets.1.provider: names no configured provider, got 'nope'"],
      });
    } finally {
      config.remove();
    }
  });

  it('refuses to start when a route mixes API families', async () => {
    const config = writeConfig({
      providers: {
        openai: { type: 'openai', baseUrl: failing.url },
        claude: { type: 'anthropic', baseUrl: failing.url },
      },
      routes: [
        {
          model: 'chat-default',
          targets: [
            { provider: 'openai', model: 'gpt-4o' },
            { provider: 'claude', model: 'claude-sonnet-4-5' },
          ],
        },
      ],
    });
    try {
      await assert.rejects(startTestGateway({ configFile: config.path, simulate: false }), {
        code: 'invalid_config',
        problems: [
          'routes.0.targets.1.provider: expected a provider of the openai family, got anthropic',
        ],
      });
    } finally {
      config.remove();
    }
  });
});

function withoutLatency(event: AuditEvent) {
  return event.attempts.map(({ latencyMs: _latency, ...attempt }) => attempt);
}
