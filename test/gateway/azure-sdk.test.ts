import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import OpenAI, { AzureOpenAI } from 'openai';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { outputText } from '../helpers/recorded.js';
import { startUpstream, writeConfig, type ConfigFile } from '../helpers/upstream.js';

// Values below are read by hand from test/fixtures/recorded/openai-chat/*.
const API_VERSION = '2024-10-21';
const DEPLOYMENT = 'gpt-4o-prod';
const QUESTION = [{ role: 'user' as const, content: 'What is the capital of Denmark?' }];
const OPENAI_TEXT = readFileSync(
  new URL('../fixtures/recorded/openai-chat/openai-text.json', import.meta.url),
  'utf8',
);

describe('the OpenAI SDK’s Azure client through the gateway (simulated)', () => {
  let gateway: TestGateway;
  let config: ConfigFile;
  let client: AzureOpenAI;

  before(async () => {
    config = writeConfig({
      providers: { azure: { type: 'azure', resource: 'contoso', apiVersion: API_VERSION } },
    });
    gateway = await startTestGateway({ configFile: config.path });
    client = new AzureOpenAI({
      endpoint: `${gateway.url}/azure`,
      apiKey: 'azure-caller-key',
      apiVersion: API_VERSION,
      deployment: DEPLOYMENT,
      maxRetries: 0,
    });
  });
  after(async () => {
    await gateway.stop();
    config.remove();
  });

  it('records the deployment, the model asked for and the model that answered', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: QUESTION, temperature: 0 })
      .withResponse();
    assert.equal(data.model, 'gpt-4.1-nano-2025-04-14');

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.outcome.status, 'ok');
    assert.deepEqual(
      [event.request?.provider, event.request?.providerType, event.request?.endpoint],
      ['azure', 'azure', 'chat.completions'],
    );
    assert.equal(
      event.request?.path,
      `/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=${API_VERSION}`,
    );
    assert.deepEqual(
      [event.request?.deployment, event.request?.model, event.response?.model],
      [DEPLOYMENT, 'gpt-4o', 'gpt-4.1-nano-2025-04-14'],
    );
    assert.deepEqual([event.usage?.inputTokens, event.usage?.outputTokens], [16, 363]);
    assert.equal(event.identity.authMethod, 'provider_key');
  });

  it('reads a stream with content filter results, usage included', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'gpt-4o',
        messages: QUESTION,
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, 'Capital of Denmark.');

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(outputText(event), 'Capital of Denmark.');
    assert.deepEqual(
      [event.request?.deployment, event.response?.model, event.response?.finishReason],
      [DEPLOYMENT, 'gpt-5-nano-2025-08-07', 'stop'],
    );
    assert.deepEqual(
      [event.usage?.inputTokens, event.usage?.outputTokens, event.usage?.reasoningTokens],
      [15, 78, 64],
    );
  });

  it('records Responses on the deployment-less path', async () => {
    const { response } = await client.responses
      .create({ model: 'gpt-4o', input: 'What is 925 divided by 5?' })
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.deepEqual(
      [event.request?.endpoint, event.request?.path, event.request?.deployment],
      ['responses', `/openai/responses?api-version=${API_VERSION}`, null],
    );
    assert.equal(event.request?.model, 'gpt-4o');
  });

  it('serves the v1 paths, where the body names the deployment and no api-version is added', async () => {
    const v1 = new OpenAI({
      baseURL: `${gateway.url}/azure/openai/v1`,
      apiKey: 'azure-caller-key',
      maxRetries: 0,
    });
    const { response } = await v1.chat.completions
      .create({ model: DEPLOYMENT, messages: QUESTION })
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.deepEqual(
      [event.request?.endpoint, event.request?.path, event.request?.model],
      ['chat.completions', '/openai/v1/chat/completions', DEPLOYMENT],
    );
    assert.equal(event.response?.model, 'gpt-4.1-nano-2025-04-14');
  });

  it('takes the deployment as the model when the body names none', async () => {
    const response = await fetch(
      `${gateway.url}/azure/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=${API_VERSION}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'api-key': 'azure-caller-key' },
        body: JSON.stringify({ messages: QUESTION }),
      },
    );
    assert.equal(response.status, 200);
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.deepEqual([event.request?.deployment, event.request?.model], [DEPLOYMENT, DEPLOYMENT]);
  });
});

describe('Azure OpenAI keys and api-version', () => {
  it("sends the gateway's key as api-key and adds the api-version when the caller has none", async () => {
    const upstream = await startUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(OPENAI_TEXT);
    });
    const config = writeConfig({
      providers: {
        azure: {
          type: 'azure',
          baseUrl: upstream.url,
          apiVersion: API_VERSION,
          apiKey: 'gateway-azure-key',
        },
      },
    });
    const gateway = await startTestGateway({ configFile: config.path, simulate: false });
    try {
      const path = `/openai/deployments/${DEPLOYMENT}/chat/completions`;
      const bare = await fetch(`${gateway.url}/azure${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: QUESTION }),
      });
      assert.equal(bare.status, 200);
      await bare.text();
      const first = await upstream.received(1);
      assert.equal(first.url, `${path}?api-version=${API_VERSION}`);
      assert.equal(first.headers['api-key'], 'gateway-azure-key');

      // An Entra ID token and the caller's own api-version pass through unchanged.
      const entra = await fetch(`${gateway.url}/azure${path}?api-version=2025-04-01-preview`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer eyJ0eXAi.entra' },
        body: JSON.stringify({ messages: QUESTION }),
      });
      assert.equal(entra.status, 200);
      await entra.text();
      const second = await upstream.received(2);
      assert.equal(second.url, `${path}?api-version=2025-04-01-preview`);
      assert.equal(second.headers.authorization, 'Bearer eyJ0eXAi.entra');
      assert.equal(second.headers['api-key'], undefined);

      // The v1 paths take no dated api-version, so none is added.
      const v1 = await fetch(`${gateway.url}/azure/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: DEPLOYMENT, messages: QUESTION }),
      });
      assert.equal(v1.status, 200);
      await v1.text();
      assert.equal((await upstream.received(3)).url, '/openai/v1/chat/completions');
    } finally {
      await gateway.stop();
      config.remove();
      await upstream.close();
    }
  });
});
