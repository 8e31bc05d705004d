import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  delay,
  startUpstream,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

const HELD_OPENAI_KEY = 'sk-held-by-the-gateway';
const HELD_ANTHROPIC_KEY = 'sk-ant-held-by-the-gateway';

function recordedBytes(file: string): Buffer {
  return readFileSync(new URL(`../fixtures/recorded/${file}`, import.meta.url));
}
const openaiAnswer = recordedBytes('openai-chat/openai-text.json');
const anthropicAnswer = recordedBytes('anthropic/anthropic-text.json');

type CreatedKey = { key: string; id: string; [field: string]: unknown };

/** Thrown error of a call expected to fail. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('the call succeeded'),
    (thrown: unknown) => thrown,
  );
}

describe('virtual keys', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startUpstream((request, response) => {
      const body = request.url === '/v1/messages' ? anthropicAnswer : openaiAnswer;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(body);
    });
    config = writeConfig({
      auth: { requireKey: true },
      providers: {
        openai: { type: 'openai', baseUrl: upstream.url, apiKey: HELD_OPENAI_KEY },
        anthropic: { type: 'anthropic', baseUrl: upstream.url, apiKey: HELD_ANTHROPIC_KEY },
      },
    });
    gateway = await startTestGateway({ configFile: config.path, simulate: false });
  });

  after(async () => {
    await upstream.close();
    await gateway.stop();
    config.remove();
  });

  async function admin(method: string, path: string, body?: unknown) {
    const response = await fetch(`${gateway.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${gateway.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function createKey(bindings: Record<string, unknown>): Promise<CreatedKey> {
    const { status, body } = await admin('POST', '/keys', bindings);
    assert.equal(status, 201, JSON.stringify(body));
    return body as CreatedKey;
  }

  function openai(apiKey: string, headers: Record<string, string> = {}) {
    return new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey,
      maxRetries: 0,
      defaultHeaders: headers,
    });
  }

  async function chat(client: OpenAI, model = 'gpt-4o-mini') {
    const { response } = await client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    return gateway.event(response.headers.get('x-auditgate-event-id'));
  }

  /** The SDK's error and the event the refused call left. */
  async function refusedChat(client: OpenAI, model = 'gpt-4o-mini') {
    const error = await failure(
      client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }] }),
    );
    assert.ok(error instanceof OpenAI.APIError, `threw ${String(error)}`);
    const event = await gateway.event(error.headers?.get('x-auditgate-event-id') ?? null);
    return { error, event };
  }

  it('issues a key shown once, bound to what it was created with', async () => {
    const created = await createKey({
      teamId: 'team-cardiology',
      appId: 'app-triage',
      agentId: 'agent-intake',
      actorType: 'agent',
      project: 'project-ward-7',
      businessUnit: 'bu-clinical',
      models: ['gpt-4o-mini'],
      expiresAt: '2099-01-01',
    });
    assert.match(created.key, /^agk_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.teamId, 'team-cardiology');
    assert.equal(created.expiresAt, '2099-01-01T00:00:00.000Z');
    assert.equal(created.revokedAt, null);

    const { body } = await admin('GET', '/keys');
    const listed = (body.keys as Record<string, unknown>[]).find((key) => key.id === created.id);
    assert.deepEqual(listed, withoutKey(created));
    assert.ok(!JSON.stringify(body).includes(created.key), 'the list shows the key text');
  });

  it('authenticates the OpenAI SDK, serves it with the held key, and records the key as verified', async () => {
    const created = await createKey({
      teamId: 'team-cardiology',
      appId: 'app-triage',
      project: 'project-ward-7',
      businessUnit: 'bu-clinical',
    });
    const callsBefore = upstream.requests.length;
    const event = await chat(openai(created.key, { 'x-auditgate-user': 'user-ada' }));

    const received = await upstream.received(callsBefore + 1);
    assert.equal(received.headers.authorization, `Bearer ${HELD_OPENAI_KEY}`);
    assert.ok(!JSON.stringify(received.headers).includes('agk_'), 'a virtual key went upstream');

    assert.equal(event.outcome.status, 'ok');
    assert.equal(event.identity.authMethod, 'virtual_key');
    assert.equal(event.identity.keyId, created.id);
    assert.equal(event.identity.teamId, 'team-cardiology');
    assert.equal(event.identity.appId, 'app-triage');
    assert.equal(event.identity.userId, 'user-ada');
    assert.deepEqual(event.identity.verified, [
      'teamId',
      'appId',
      'project',
      'businessUnit',
      'keyId',
    ]);
    assert.equal(event.identity.asserted, null);
    assert.equal(event.attribution.project, 'project-ward-7');
    assert.equal(event.attribution.businessUnit, 'bu-clinical');
    assert.equal(event.attribution.teamId, 'team-cardiology');
    assertNoKey(event, created.key);
  });

  it('records a forged x-auditgate-app as asserted, the key bound app as verified', async () => {
    const created = await createKey({ teamId: 'team-billing', appId: 'app-invoices' });
    const client = new Anthropic({
      baseURL: `${gateway.url}/anthropic`,
      apiKey: created.key,
      maxRetries: 0,
      defaultHeaders: { 'x-auditgate-app': 'app-payroll', 'x-auditgate-agent': 'agent-7' },
    });
    const callsBefore = upstream.requests.length;
    const { response } = await client.messages
      .create({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Hi' }],
      })
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));

    const received = await upstream.received(callsBefore + 1);
    assert.equal(received.headers['x-api-key'], HELD_ANTHROPIC_KEY);
    assert.equal(event.identity.appId, 'app-invoices');
    assert.equal(event.attribution.appId, 'app-invoices');
    assert.deepEqual(event.identity.asserted, { appId: 'app-payroll' });
    assert.deepEqual(event.identity.verified, ['teamId', 'appId', 'keyId']);
    // The key binds no agent, so the header's agent stands, unverified.
    assert.equal(event.identity.agentId, 'agent-7');
  });

  it('accepts the key in x-auditgate-key beside a caller provider key, and forwards neither', async () => {
    const created = await createKey({ teamId: 'team-billing', appId: 'app-invoices' });
    const callsBefore = upstream.requests.length;
    const response = await fetch(`${gateway.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sk-callers-own',
        'x-auditgate-key': created.key,
      },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    const received = await upstream.received(callsBefore + 1);
    assert.equal(received.headers.authorization, `Bearer ${HELD_OPENAI_KEY}`);
    assert.equal(received.headers['x-auditgate-key'], undefined);
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.identity.keyId, created.id);
  });

  it('refuses an unknown key with 401 in the provider shape, recorded without the key', async () => {
    const unknown = 'agk_thiskeywasneverissuedbythisgatewayatall0000';
    const callsBefore = upstream.requests.length;
    const { error, event } = await refusedChat(openai(unknown));

    const message = 'the virtual key is not known to this gateway';
    assert.equal(error.status, 401);
    assert.deepEqual(error.error, {
      message,
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    });
    assert.deepEqual(event.outcome, { status: 'rejected', error: message });
    assert.equal(event.identity.authMethod, 'virtual_key');
    assert.deepEqual(event.identity.verified, []);
    assert.equal(event.identity.keyId, null);
    assertNoKey(event, unknown);
    assert.equal(upstream.requests.length, callsBefore, 'the call reached the upstream');
  });

  it('refuses a revoked key on the very next call, naming the key', async () => {
    const created = await createKey({ teamId: 'team-billing', appId: 'app-invoices' });
    const client = openai(created.key);
    assert.equal((await chat(client)).outcome.status, 'ok');

    const revoked = await admin('DELETE', `/keys/${created.id}`);
    assert.equal(revoked.status, 200);
    const revokedAt = String(revoked.body.revokedAt);
    assert.ok(Date.parse(revokedAt) > Date.parse(String(created.createdAt)));

    const { error, event } = await refusedChat(client);
    const message = `the virtual key ${created.id} was revoked at ${revokedAt}`;
    assert.equal(error.status, 401);
    assert.deepEqual(event.outcome, { status: 'rejected', error: message });
    assert.equal(event.identity.keyId, created.id);
    assert.deepEqual(event.identity.verified, []);

    // Revoking again keeps the first time.
    const again = await admin('DELETE', `/keys/${created.id}`);
    assert.equal(again.body.revokedAt, revokedAt);
  });

  it('refuses an expired key', async () => {
    const expiresAt = new Date(Date.now() + 400).toISOString();
    const created = await createKey({ teamId: 'team-billing', appId: 'app-invoices', expiresAt });
    await delay(500);
    const { error, event } = await refusedChat(openai(created.key));
    assert.equal(error.status, 401);
    const message = `the virtual key ${created.id} expired at ${expiresAt}`;
    assert.deepEqual(event.outcome, { status: 'rejected', error: message });
  });

  it('refuses a model the key is not bound to with 403, and serves the one it is', async () => {
    const created = await createKey({
      teamId: 'team-billing',
      appId: 'app-invoices',
      models: ['gpt-4o-mini'],
    });
    const client = openai(created.key);
    const callsBefore = upstream.requests.length;
    const { error, event } = await refusedChat(client, 'gpt-4o');
    assert.equal(error.status, 403);
    const message = 'model: this key allows gpt-4o-mini, got gpt-4o';
    assert.deepEqual(event.outcome, { status: 'rejected', error: message });
    assert.equal(event.request?.model, 'gpt-4o');
    assert.equal(upstream.requests.length, callsBefore);

    assert.equal((await chat(client, 'gpt-4o-mini')).outcome.status, 'ok');
  });

  it('with auth.requireKey refuses a caller with no key or a provider key, recorded', async () => {
    for (const apiKey of ['', 'sk-callers-own-provider-key']) {
      const response = await fetch(`${gateway.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
      });
      assert.equal(response.status, 401);
      const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
      assert.deepEqual(event.outcome, {
        status: 'rejected',
        error: 'this gateway requires a virtual key or a verified token',
      });
      assert.equal(event.identity.authMethod, apiKey ? 'provider_key' : 'none');
    }
  });

  it('refuses a virtual key in the query string, which would otherwise go upstream', async () => {
    const created = await createKey({ teamId: 'team-billing', appId: 'app-invoices' });
    const callsBefore = upstream.requests.length;
    const response = await fetch(`${gateway.url}/openai/v1/chat/completions?key=${created.key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(response.status, 401);
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.request?.path, '/v1/chat/completions?key=[redacted]');
    assertNoKey(event, created.key);
    assert.equal(upstream.requests.length, callsBefore);
  });
});

function withoutKey(created: CreatedKey): Record<string, unknown> {
  const record: Record<string, unknown> = { ...created };
  delete record.key;
  return record;
}

function assertNoKey(event: AuditEvent, key: string): void {
  assert.ok(!JSON.stringify(event).includes(key), 'the event holds the key text');
}
