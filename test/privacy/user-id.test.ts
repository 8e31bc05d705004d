import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const EMAIL = 'ana.lima@example.org';

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the user id a caller sends is content: PII in it is pseudonymised', () => {
  let gateway: TestGateway;
  let openai: OpenAI;

  async function openaiCall(user: string): Promise<AuditEvent> {
    const { response } = await openai.chat.completions
      .create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hello' }], user })
      .withResponse();
    return gateway.event(response.headers.get('x-auditgate-event-id'));
  }

  before(async () => {
    gateway = await startTestGateway();
    openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
  });
  after(() => gateway.stop());

  it('stores an e-mail sent as OpenAI `user` as one stable pseudonym, and an opaque id as sent', async () => {
    const first = await openaiCall(EMAIL);
    const second = await openaiCall(EMAIL);
    assert.match(first.identity.userId ?? '', /^\[EMAIL_[0-9a-f]{10}\]$/);
    assert.equal(first.attribution.userId, first.identity.userId);
    assert.equal(second.identity.userId, first.identity.userId);

    const opaque = await openaiCall('u-1234');
    assert.equal(opaque.identity.userId, 'u-1234');
    assert.equal(opaque.attribution.userId, 'u-1234');
    // A bare account name is not read as a person's name.
    assert.equal((await openaiCall('alice')).identity.userId, 'alice');

    // The events API's user filter takes the real id.
    const listed = await gateway.api(`/api/v1/events?user=${encodeURIComponent(EMAIL)}`);
    const ids = (listed.body as { events: AuditEvent[] }).events.map((event) => event.id);
    assert.deepEqual(ids.sort(), [first.id, second.id].sort());
  });

  it("does the same with Anthropic's metadata.user_id", async () => {
    const anthropic = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: 'sk-ant-x' });
    const { response } = await anthropic.messages
      .create({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Hello' }],
        metadata: { user_id: EMAIL },
      })
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    const fromOpenai = await openaiCall(EMAIL);
    assert.equal(event.identity.userId, fromOpenai.identity.userId);
  });

  it('erases by the real id: user:EMAIL finds the pseudonymised events; nothing stores the e-mail', async () => {
    const event = await openaiCall(EMAIL);
    const response = await fetch(`${gateway.url}/api/v1/erasures`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gateway.adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ subject: `user:${EMAIL}`, reason: 'art. 17 request' }),
    });
    assert.equal(response.status, 200);
    const result = (await response.json()) as { eventId: string; erasedEventIds: string[] };
    // Two OpenAI calls and one Anthropic call before this test, two more in it.
    assert.equal(result.erasedEventIds.length, 5);
    assert.ok(result.erasedEventIds.includes(event.id));
    const erasure = await gateway.event(result.eventId);
    assert.equal(erasure.erasure?.subject, `user:${event.identity.userId}`);

    await gateway.flush();
    for (const file of filesUnder(gateway.dataFolder)) {
      assert.ok(!readFileSync(file).toString('latin1').includes(EMAIL), `${EMAIL} in ${file}`);
    }
  });
});
