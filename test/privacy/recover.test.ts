import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { AuditEvent } from '../../src/event/types.js';
import { ephemeralSettings, maskText } from '../../src/privacy/protect.js';
import { recoverEncrypted } from '../../src/privacy/recover.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { runCommand } from '../helpers/run-cli.js';
import { writeConfig, type ConfigFile } from '../helpers/upstream.js';

const CARD = '4111 1111 1111 1111';

type Recovered = {
  event: AuditEvent;
  decrypted: number;
  undecryptable: number;
  accessEventId: string;
};

describe('recovering encrypted values', () => {
  let config: ConfigFile;
  let gateway: TestGateway;
  let eventId = '';

  async function recover(token: string, id: string) {
    const response = await fetch(`${gateway.url}/api/v1/events/${id}/recover`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  before(async () => {
    config = writeConfig({ privacy: { strategies: { credit_card: 'encrypt' } } });
    gateway = await startTestGateway({ configFile: config.path });
    const client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'sk-test-openai-key',
      maxRetries: 0,
    });
    const { response } = await client.chat.completions
      .create({
        model: 'gpt-4.1-nano',
        messages: [{ role: 'user', content: `Charge my card ${CARD} please.` }],
      })
      .withResponse();
    eventId = (await gateway.event(response.headers.get('x-auditgate-event-id'))).id;
  });

  after(async () => {
    await gateway.stop();
    config.remove();
  });

  it('stores the card encrypted, and recovers it for the admin, recording an access event', async () => {
    const stored = await gateway.event(eventId);
    const storedText = JSON.stringify(stored.request?.messages);
    assert.ok(!storedText.includes('4111'));
    assert.match(storedText, /Charge my card \[CREDIT_CARD:enc:[A-Za-z0-9_-]+\] please\./);

    const { status, body } = await recover(gateway.adminToken, eventId);
    assert.equal(status, 200);
    const recovered = body as Recovered;
    assert.equal(recovered.decrypted, 1);
    assert.equal(recovered.undecryptable, 0);
    assert.equal(recovered.event.id, eventId);
    assert.deepEqual(recovered.event.request?.messages?.[0]?.parts, [
      { type: 'text', content: `Charge my card ${CARD} please.` },
    ]);

    const access = await gateway.event(recovered.accessEventId);
    assert.equal(access.kind, 'access');
    assert.deepEqual(access.access, {
      action: 'privacy.recover',
      eventId,
      principal: { name: 'admin token', role: 'admin', tokenId: null },
      decrypted: 1,
      undecryptable: 0,
    });
    assert.ok(!JSON.stringify(access).includes('4111'));
  });

  it('is the admin role only', async () => {
    const created = await fetch(`${gateway.url}/api/v1/tokens`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gateway.adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'an auditor', role: 'auditor' }),
    });
    const { token } = (await created.json()) as { token: string };
    const { status, body } = await recover(token, eventId);
    assert.equal(status, 403);
    assert.ok(!JSON.stringify(body).includes('4111'));
  });

  it('answers 404 for an unknown event', async () => {
    const { status } = await recover(gateway.adminToken, 'evt_unknown');
    assert.equal(status, 404);
  });

  it('`auditgate privacy recover EVENT_ID` prints the recovered event', async () => {
    const { status, output } = await runCommand([
      'privacy',
      'recover',
      eventId,
      '--url',
      gateway.url,
      '--token',
      gateway.adminToken,
    ]);
    assert.equal(status, 0, output);
    const answer = JSON.parse(output) as Recovered;
    assert.equal(answer.decrypted, 1);
    assert.match(JSON.stringify(answer.event.request?.messages), /4111 1111 1111 1111/);
  });
});

describe('recoverEncrypted', () => {
  const settings = { ...ephemeralSettings(), strategies: { email: 'encrypt' as const } };
  const masked = maskText('write to ana@example.org today', settings);

  it('decrypts a value sealed under its key', () => {
    assert.match(masked, /^write to \[EMAIL:enc:[A-Za-z0-9_-]+\] today$/);
    const recovered = recoverEncrypted({ text: masked }, settings.encryptionKey);
    assert.deepEqual(recovered, {
      value: { text: 'write to ana@example.org today' },
      decrypted: 1,
      undecryptable: 0,
    });
  });

  it('reports a wrong key, a tampered and a cut ciphertext, keeping the placeholder', () => {
    const sealed = /:enc:([A-Za-z0-9_-]+)\]/.exec(masked)?.[1] ?? '';
    const flipped = sealed.slice(0, 20) + (sealed[20] === 'A' ? 'B' : 'A') + sealed.slice(21);
    const texts = [
      masked,
      `[EMAIL:enc:${flipped}]`,
      `[EMAIL:enc:${sealed.slice(0, 10)}]`,
      '[EMAIL:enc:]',
    ];
    const wrongKey = recoverEncrypted(texts.slice(0, 1), randomBytes(32));
    assert.deepEqual(wrongKey, { value: [masked], decrypted: 0, undecryptable: 1 });
    const broken = recoverEncrypted(texts.slice(1), settings.encryptionKey);
    assert.deepEqual(broken, { value: texts.slice(1), decrypted: 0, undecryptable: 3 });
  });
});
