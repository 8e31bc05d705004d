import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ConverseCommand,
  ConverseStreamCommand,
  ThrottlingException,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { bedrockClient, type GatewayBedrockClient } from '../helpers/bedrock.js';
import { outputText } from '../helpers/recorded.js';
import { writeConfig, type ConfigFile } from '../helpers/upstream.js';

// Values below are read by hand from test/fixtures/recorded/amazon-bedrock/*.
const TEXT_ANSWER =
  'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\n' +
  'There are **3** "r"s in "strawberry."';
const STREAMED_ANSWER =
  'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\n' +
  'There are **3** r\'s in "strawberry."';
const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const PROFILE_ARN =
  'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-v1:0';
const QUESTION: Message[] = [{ role: 'user', content: [{ text: 'How many r in strawberry?' }] }];
const BASH_TOOL = {
  tools: [
    {
      toolSpec: {
        name: 'bash',
        description: 'runs a shell command',
        inputSchema: {
          json: { type: 'object', properties: { command: { type: 'string' } } },
        },
      },
    },
  ],
};

describe('the Bedrock Runtime SDK through the gateway (simulated)', () => {
  let gateway: TestGateway;
  let config: ConfigFile;
  let bedrock: GatewayBedrockClient;

  before(async () => {
    config = writeConfig({ providers: { bedrock: { type: 'bedrock', region: 'us-east-1' } } });
    gateway = await startTestGateway({ configFile: config.path });
    bedrock = bedrockClient(`${gateway.url}/bedrock`, { 'x-auditgate-user': 'ada' });
  });
  after(async () => {
    await gateway.stop();
    config.remove();
  });

  it('answers Converse as recorded and records the call in full', async () => {
    const response = await bedrock.client.send(
      new ConverseCommand({
        modelId: MODEL,
        system: [{ text: 'Be brief.' }],
        messages: QUESTION,
        inferenceConfig: { maxTokens: 300, temperature: 0.2 },
      }),
    );
    const content = response.output?.message?.content ?? [];
    assert.equal(content[0]?.text, TEXT_ANSWER);
    assert.equal(response.stopReason, 'end_turn');

    const event = await gateway.event(bedrock.lastEventId());
    assert.equal(event.kind, 'llm.call');
    assert.equal(event.outcome.status, 'ok');
    assert.deepEqual(
      [event.request?.provider, event.request?.providerType, event.request?.endpoint],
      ['bedrock', 'bedrock', 'converse'],
    );
    assert.equal(event.request?.model, MODEL);
    // The SDK encodes the model id in the path; the record keeps the path as sent.
    assert.equal(event.request?.path, '/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse');
    assert.equal(event.request?.stream, false);
    assert.equal(event.request?.system, 'Be brief.');
    assert.deepEqual(event.request?.messages, [
      { role: 'user', parts: [{ type: 'text', content: 'How many r in strawberry?' }] },
    ]);
    assert.deepEqual(event.request?.parameters, {
      inferenceConfig: { maxTokens: 300, temperature: 0.2 },
    });
    assert.equal(outputText(event), TEXT_ANSWER);
    assert.deepEqual(
      [event.response?.finishReasons, event.response?.finishReason],
      [['end_turn'], 'stop'],
    );
    assert.deepEqual(
      [event.usage?.inputTokens, event.usage?.outputTokens, event.usage?.source],
      [22, 57, 'provider'],
    );
    assert.deepEqual([event.usage?.cacheReadTokens, event.usage?.cacheWriteTokens], [0, 0]);
    assert.equal(event.identity.userId, 'ada');
    // Bedrock's body has no id; the request id AWS knows the call by stands in.
    assert.match(event.response?.id ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(event.response?.id, response.$metadata.requestId);
    // The caller's SigV4 signature is not a key: nothing of it is recorded.
    assert.deepEqual([event.identity.authMethod, event.identity.keyFingerprint], ['none', null]);
    assert.deepEqual(event.attempts, [
      {
        number: 1,
        provider: 'bedrock',
        model: MODEL,
        httpStatus: 200,
        error: null,
        latencyMs: event.attempts[0]?.latencyMs,
        next: null,
      },
    ]);
  });

  it('serves a client on HTTP/1.1 the same (other AWS SDKs, or this one told to)', async () => {
    const http1 = bedrockClient(
      `${gateway.url}/bedrock`,
      { 'x-auditgate-user': 'grace' },
      { requestHandler: new NodeHttpHandler() },
    );
    const response = await http1.client.send(
      new ConverseCommand({ modelId: MODEL, messages: QUESTION }),
    );
    assert.equal(response.output?.message?.content?.[0]?.text, TEXT_ANSWER);
    const event = await gateway.event(http1.lastEventId());
    assert.deepEqual([event.outcome.status, event.identity.userId], ['ok', 'grace']);
  });

  it('records an inference profile ARN as the model, decoded', async () => {
    await bedrock.client.send(new ConverseCommand({ modelId: PROFILE_ARN, messages: QUESTION }));
    const event = await gateway.event(bedrock.lastEventId());
    assert.equal(event.request?.model, PROFILE_ARN);
    assert.ok(event.request?.path.includes('arn%3Aaws%3Abedrock'), event.request?.path);
  });

  it('records a tool call', async () => {
    const response = await bedrock.client.send(
      new ConverseCommand({ modelId: MODEL, messages: QUESTION, toolConfig: BASH_TOOL }),
    );
    assert.equal(response.stopReason, 'tool_use');
    const event = await gateway.event(bedrock.lastEventId());
    assert.deepEqual(event.response?.toolCalls, [
      { id: 'tool-use-id', name: 'bash', arguments: { command: 'ls -l' } },
    ]);
    assert.equal(event.response?.finishReason, 'tool_call');
    assert.deepEqual(event.request?.tools, [
      {
        type: 'function',
        name: 'bash',
        description: 'runs a shell command',
        parameters: { type: 'object', properties: { command: { type: 'string' } } },
      },
    ]);
    assert.deepEqual([event.usage?.inputTokens, event.usage?.outputTokens], [10, 20]);
  });

  it('relays a ConverseStream unchanged and keeps its cache read and write tokens', async () => {
    const cached = bedrockClient(`${gateway.url}/bedrock`, {
      'x-auditgate-simulate': 'amazon-bedrock-text-cache.derived',
    });
    const response = await cached.client.send(
      new ConverseStreamCommand({ modelId: MODEL, messages: QUESTION }),
    );
    let text = '';
    let usage: unknown = null;
    for await (const part of response.stream ?? []) {
      text += part.contentBlockDelta?.delta?.text ?? '';
      if (part.metadata) usage = part.metadata.usage;
    }
    assert.equal(text, STREAMED_ANSWER);
    assert.deepEqual(usage, {
      cacheReadInputTokens: 1536,
      cacheWriteInputTokens: 512,
      inputTokens: 22,
      outputTokens: 55,
      totalTokens: 2125,
    });

    const event = await gateway.event(cached.lastEventId());
    assert.equal(event.outcome.status, 'ok');
    assert.equal(event.request?.stream, true);
    assert.equal(
      event.request?.path,
      '/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream',
    );
    assert.equal(outputText(event), STREAMED_ANSWER);
    // 22 uncached + 1536 read from the cache + 512 written to it (input includes cached).
    assert.deepEqual(
      [
        event.usage?.inputTokens,
        event.usage?.outputTokens,
        event.usage?.cacheReadTokens,
        event.usage?.cacheWriteTokens,
        event.usage?.source,
      ],
      [2070, 55, 1536, 512, 'provider'],
    );
    assert.equal(event.response?.finishReason, 'stop');
    assert.notEqual(event.timing.ttftMs, null);
  });

  it('assembles a streamed tool call whose metadata comes before messageStop', async () => {
    const response = await bedrock.client.send(
      new ConverseStreamCommand({ modelId: MODEL, messages: QUESTION, toolConfig: BASH_TOOL }),
    );
    for await (const part of response.stream ?? []) void part;
    const event = await gateway.event(bedrock.lastEventId());
    assert.deepEqual(event.response?.toolCalls, [
      { id: 'tool-use-id', name: 'test-tool', arguments: { value: 'Sparkle Day' } },
    ]);
    assert.deepEqual(
      [event.usage?.inputTokens, event.usage?.outputTokens, event.response?.finishReason],
      [125, 45, 'tool_call'],
    );
  });

  it("passes Bedrock's own error through, which the SDK reads as its exception", async () => {
    const throttled = bedrockClient(`${gateway.url}/bedrock`, {
      'x-auditgate-simulate': 'amazon-bedrock-throttling.derived',
    });
    const error = await throttled.client
      .send(new ConverseCommand({ modelId: MODEL, messages: QUESTION }))
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof ThrottlingException);
    assert.equal(error.message, 'Too many requests, please wait before trying again.');

    const event = await gateway.event(throttled.lastEventId());
    assert.deepEqual(event.outcome, {
      status: 'upstream_error',
      error: 'the provider answered 429 (ThrottlingException)',
    });
    assert.deepEqual(event.response?.error, {
      message: 'Too many requests, please wait before trying again.',
    });
  });

  it("answers the gateway's own refusals in Bedrock's shape", async () => {
    const response = await fetch(`${gateway.url}/bedrock/model/${MODEL}/converse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"messages": [',
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.deepEqual(await response.json(), { message: 'request body is not valid JSON' });
  });
});
