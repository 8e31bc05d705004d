import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import type { AuditEvent } from '../../src/event/types.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { bedrockClient } from '../helpers/bedrock.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, writeConfig, type ConfigFile } from '../helpers/upstream.js';

// The gateway signs Bedrock requests with the credentials of its own environment.
process.env.AWS_ACCESS_KEY_ID = 'AKIDGATEWAYEXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY = 'gateway-secret-access-key';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;

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

function attemptsOf(event: AuditEvent) {
  return event.attempts.map((attempt) => [
    attempt.provider,
    attempt.model,
    attempt.httpStatus,
    attempt.next,
  ]);
}

describe('routes on APIs that name the model in the path', () => {
  let simulator: Simulator;
  before(async () => {
    simulator = await startSimulator({ firstChunkDelayMs: 0, chunkDelayMs: 0 });
  });
  after(() => simulator.close());

  it('moves a Bedrock Converse call to its second target, the model written into the path', async () => {
    const failing = await startUpstream((_request, response) => {
      response.writeHead(503, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ServiceUnavailableException',
      });
      response.end('{"message":"try later"}');
    });
    try {
      const gateway = await gatewayWith({
        providers: {
          east: { type: 'bedrock', region: 'us-east-1', baseUrl: failing.url },
          west: { type: 'bedrock', region: 'us-west-2', baseUrl: simulator.url },
        },
        routes: [
          {
            model: 'claude-default',
            targets: [
              { provider: 'east', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
              { provider: 'west', model: 'anthropic.claude-3-5-haiku-20241022-v1:0' },
            ],
          },
        ],
      });
      const { client, lastEventId } = bedrockClient(`${gateway.url}/east`, {
        'x-auditgate-user': 'ada',
      });
      const answer = await client.send(
        new ConverseCommand({
          modelId: 'claude-default',
          messages: [{ role: 'user', content: [{ text: 'How many r in strawberry?' }] }],
        }),
      );
      assert.ok((answer.output?.message?.content?.[0]?.text ?? '').length > 0);

      const sent = await failing.received(1);
      assert.equal(sent.url, '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');

      const event = await gateway.event(lastEventId());
      assert.deepEqual([event.request?.provider, event.request?.model], ['east', 'claude-default']);
      assert.deepEqual(event.request?.rewrites, [
        {
          path: ':path',
          reason: 'route claude-default, target 1 (east)',
          from: '/model/claude-default/converse',
          to: '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse',
        },
        {
          path: ':path',
          reason: 'route claude-default, target 2 (west)',
          from: '/model/claude-default/converse',
          to: '/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse',
        },
      ]);
      assert.deepEqual(attemptsOf(event), [
        ['east', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 503, 'fallback'],
        ['west', 'anthropic.claude-3-5-haiku-20241022-v1:0', 200, null],
      ]);
      assert.equal(event.outcome.status, 'ok');
      const list = await gateway.api('/api/v1/events?model=claude-default');
      assert.equal((list.body as { events: unknown[] }).events.length, 1);
    } finally {
      await failing.close();
    }
  });

  it('moves a Gemini call to its second target, whose key the gateway holds', async () => {
    const failing = await startUpstream((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end('{"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}');
    });
    try {
      const gateway = await gatewayWith({
        providers: {
          gemini: { type: 'gemini', baseUrl: failing.url },
          backup: { type: 'gemini', baseUrl: simulator.url, apiKey: 'backup-key' },
        },
        routes: [
          {
            model: 'flash-default',
            targets: [
              { provider: 'gemini', model: 'gemini-2.5-flash' },
              { provider: 'backup', model: 'gemini-3-pro-preview' },
            ],
          },
        ],
      });
      const client = new GoogleGenAI({
        apiKey: 'caller-key',
        httpOptions: { baseUrl: `${gateway.url}/gemini` },
      });
      const answer = await client.models.generateContent({
        model: 'flash-default',
        contents: 'How many r are in strawberry?',
      });
      assert.ok((answer.text ?? '').length > 0);

      const sent = await failing.received(1);
      assert.equal(sent.url, '/v1beta/models/gemini-2.5-flash:generateContent');
      assert.equal(sent.headers['x-goog-api-key'], 'caller-key');

      const eventId = answer.sdkHttpResponse?.headers?.['x-auditgate-event-id'] ?? null;
      const event = await gateway.event(eventId);
      assert.deepEqual(
        [event.request?.provider, event.request?.model],
        ['gemini', 'flash-default'],
      );
      assert.deepEqual(event.request?.rewrites, [
        {
          path: ':path',
          reason: 'route flash-default, target 1 (gemini)',
          from: '/v1beta/models/flash-default:generateContent',
          to: '/v1beta/models/gemini-2.5-flash:generateContent',
        },
        {
          path: ':path',
          reason: 'route flash-default, target 2 (backup)',
          from: '/v1beta/models/flash-default:generateContent',
          to: '/v1beta/models/gemini-3-pro-preview:generateContent',
        },
      ]);
      assert.deepEqual(attemptsOf(event), [
        ['gemini', 'gemini-2.5-flash', 503, 'fallback'],
        ['backup', 'gemini-3-pro-preview', 200, null],
      ]);
      assert.equal(event.outcome.status, 'ok');
    } finally {
      await failing.close();
    }
  });

  it('moves an Azure deployment call to a second deployment, keeping its api-version', async () => {
    const failing = await startUpstream((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"overloaded","type":"server_error","code":null}}');
    });
    try {
      const gateway = await gatewayWith({
        providers: {
          east: { type: 'azure', baseUrl: failing.url, apiKey: 'east-key' },
          west: { type: 'azure', baseUrl: simulator.url, apiKey: 'west-key' },
        },
        routes: [
          {
            model: 'chat-default',
            targets: [
              { provider: 'east', model: 'gpt-4o-east' },
              { provider: 'west', model: 'gpt-4o-west' },
            ],
          },
        ],
      });
      const client = new OpenAI({
        apiKey: 'unused',
        baseURL: `${gateway.url}/east/openai/deployments/chat-default`,
        defaultQuery: { 'api-version': '2024-10-21' },
        maxRetries: 0,
      });
      const { response } = await client.chat.completions
        .create({ model: 'ignored', messages: [{ role: 'user', content: 'Hello' }] })
        .withResponse();
      assert.equal(response.status, 200);

      const sent = await failing.received(1);
      assert.equal(
        sent.url,
        '/openai/deployments/gpt-4o-east/chat/completions?api-version=2024-10-21',
      );

      const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
      assert.equal(event.request?.deployment, 'chat-default');
      assert.deepEqual(
        event.request?.rewrites.map((rewrite) => [rewrite.path, rewrite.to]),
        [
          [':path', '/openai/deployments/gpt-4o-east/chat/completions'],
          [':path', '/openai/deployments/gpt-4o-west/chat/completions'],
        ],
      );
      assert.deepEqual(attemptsOf(event), [
        ['east', 'gpt-4o-east', 503, 'fallback'],
        ['west', 'gpt-4o-west', 200, null],
      ]);
    } finally {
      await failing.close();
    }
  });

  it('lists only the rewrites of the targets it sent, when the first target answers', async () => {
    const spare = await startUpstream((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end('{}');
    });
    try {
      const gateway = await gatewayWith({
        providers: {
          openai: { type: 'openai-compatible', baseUrl: simulator.url, apiKey: 'sim-key' },
          spare: { type: 'openai-compatible', baseUrl: spare.url, apiKey: 'spare-key' },
        },
        routes: [
          {
            model: 'chat-default',
            targets: [
              { provider: 'openai', model: 'gpt-4o' },
              { provider: 'spare', model: 'llama-3.1-70b' },
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

      const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
      assert.deepEqual(event.request?.rewrites, [
        {
          path: 'model',
          reason: 'route chat-default, target 1 (openai)',
          from: 'chat-default',
          to: 'gpt-4o',
        },
      ]);
      assert.deepEqual(attemptsOf(event), [['openai', 'gpt-4o', 200, null]]);
      assert.equal(spare.requests.length, 0);
    } finally {
      await spare.close();
    }
  });
});
