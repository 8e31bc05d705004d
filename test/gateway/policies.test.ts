import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { delay, writeConfig, type ConfigFile } from '../helpers/upstream.js';

describe('policies before the call', () => {
  let config: ConfigFile;
  let gateway: TestGateway;
  const keys: Record<string, string> = {};

  before(async () => {
    config = writeConfig({
      policies: [
        {
          id: 'costly-models',
          scope: { teams: ['team-a'] },
          action: 'block',
          severity: 'high',
          allowModels: ['gpt-4.1-nano', 'claude-haiku-4-5'],
        },
        { id: 'token-cap', action: 'flag', maxTokens: 256 },
      ],
    });
    gateway = await startTestGateway({ configFile: config.path });
    for (const team of ['team-a', 'team-b']) {
      const response = await fetch(`${gateway.url}/api/v1/keys`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${gateway.adminToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ teamId: team, appId: 'app' }),
      });
      keys[team] = ((await response.json()) as { key: string }).key;
    }
  });

  after(async () => {
    await gateway.stop();
    config.remove();
  });

  function openai(team: string) {
    return new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: keys[team] ?? '', maxRetries: 0 });
  }

  async function violationsOf(callId: string): Promise<AuditEvent[]> {
    const { body } = await gateway.api('/api/v1/events?kind=policy.violation&limit=100');
    return (body as { events: AuditEvent[] }).events.filter(
      (event) => (event.policy[0] as { subjectEventId?: string }).subjectEventId === callId,
    );
  }

  it('blocks a model outside the allow-list, naming the rule and the event, recorded', async () => {
    const error = await openai('team-a')
      .chat.completions.create({
        model: 'gpt-4o',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Hello' }],
      })
      .then(
        () => assert.fail('the call went through'),
        (thrown: unknown) => thrown,
      );
    assert.ok(error instanceof OpenAI.APIError, String(error));
    assert.equal(error.status, 403);
    const eventId = error.headers?.get('x-auditgate-event-id') ?? '';
    const message = `blocked by policy rule costly-models (model_allowlist); event ${eventId}`;
    assert.deepEqual(error.error, {
      message,
      type: 'invalid_request_error',
      param: null,
      code: 'policy_blocked',
    });

    const event = await gateway.event(eventId);
    const decision = {
      ruleId: 'costly-models',
      policyVersion: event.policy.length
        ? (event.policy[0] as { policyVersion: string }).policyVersion
        : '',
      category: 'model_allowlist',
      action: 'block',
      severity: 'high',
      findings: [{ type: 'model_not_allowed', count: 1 }],
    };
    assert.match(decision.policyVersion, /^[0-9a-f]{12}$/);
    assert.deepEqual(event.outcome, { status: 'blocked', error: message });
    assert.deepEqual(event.policy, [decision]);

    const [violation, ...others] = await violationsOf(eventId);
    assert.equal(others.length, 0);
    assert.equal(violation?.kind, 'policy.violation');
    assert.deepEqual(violation?.policy, [{ ...decision, subjectEventId: eventId }]);
    assert.equal(violation?.trace.traceId, event.trace.traceId);
    assert.equal(violation?.trace.parentSpanId, event.trace.spanId);
    assert.equal(violation?.identity.teamId, 'team-a');
    assert.equal(violation?.outcome.status, 'blocked');

    // The exception log: events whose policy list holds a block.
    const { body } = await gateway.api('/api/v1/events?policyAction=block');
    const blocked = (body as { events: AuditEvent[] }).events.map((listed) => listed.id);
    assert.deepEqual(blocked.slice(0, 2), [violation?.id, eventId]);
  });

  it('answers a block in the Anthropic shape on an Anthropic route', async () => {
    const anthropic = new Anthropic({
      baseURL: `${gateway.url}/anthropic`,
      apiKey: keys['team-a'] ?? '',
      maxRetries: 0,
    });
    const error = await anthropic.messages
      .create({
        model: 'claude-opus-4-1',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Hi' }],
      })
      .then(
        () => assert.fail('the call went through'),
        (thrown: unknown) => thrown,
      );
    assert.ok(error instanceof Anthropic.PermissionDeniedError, String(error));
    assert.equal(error.type, 'permission_error');
  });

  it('lets a flagged call through, with the rule in its policy list and a violation event', async () => {
    const { response } = await openai('team-a')
      .chat.completions.create({
        model: 'gpt-4.1-nano',
        max_tokens: 1000,
        messages: [{ role: 'user', content: 'Hello' }],
      })
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.outcome.status, 'ok');
    assert.deepEqual(
      event.policy.map((decision) => {
        const { ruleId, action, findings } = decision as {
          ruleId: string;
          action: string;
          findings: unknown;
        };
        return { ruleId, action, findings };
      }),
      [{ ruleId: 'token-cap', action: 'flag', findings: [{ type: 'max_tokens_over', count: 1 }] }],
    );
    const violations = await violationsOf(event.id);
    assert.equal(violations.length, 1);
    assert.equal(violations[0]?.outcome.status, 'ok');
  });

  it('leaves a call out of every rule scope alone', async () => {
    const { response } = await openai('team-b')
      .chat.completions.create({
        model: 'gpt-4o',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Hello' }],
      })
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.outcome.status, 'ok');
    assert.deepEqual(event.policy, []);
    assert.deepEqual(await violationsOf(event.id), []);
  });
});

describe('policies reloaded without a restart', () => {
  const blockRule = { id: 'no-gpt-4o', action: 'block', allowModels: ['gpt-4.1-nano'] };
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    config = writeConfig({ policies: [blockRule] });
    gateway = await startTestGateway({ configFile: config.path });
  });
  after(async () => {
    await gateway.stop();
    config.remove();
  });

  /** The status of one gpt-4o call and the version of the rules that judged it. */
  async function callGpt4o(): Promise<{ status: number; version: string | null }> {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    await response.arrayBuffer();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    const decision = event.policy[0] as { policyVersion?: string } | undefined;
    return { status: response.status, version: decision?.policyVersion ?? null };
  }

  /** Calls until the status changes from `from` (the watcher polls the file), up to 5 s. */
  async function callUntilNot(from: number) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const result = await callGpt4o();
      if (result.status !== from || Date.now() > deadline) return result;
      await delay(100);
    }
  }

  it('applies a changed rule to the next calls, and keeps the rules when the file breaks', async () => {
    const first = await callGpt4o();
    assert.equal(first.status, 403);

    writeFileSync(config.path, JSON.stringify({ policies: [{ ...blockRule, action: 'flag' }] }));
    const changed = await callUntilNot(403);
    assert.equal(changed.status, 200, 'the changed rule was not applied within 5 s');
    assert.match(changed.version ?? '', /^[0-9a-f]{12}$/);
    assert.notEqual(changed.version, first.version);

    writeFileSync(
      config.path,
      JSON.stringify({ policies: [{ id: 'broken', action: 'sometimes' }] }),
    );
    await delay(1500);
    const kept = await callGpt4o();
    assert.deepEqual(kept, changed);
  });
});
