import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const SYSTEM = 'You are the ward assistant for PATIENT-MARKER-7731.';
const PROMPT = 'Summarise the discharge notes of PATIENT-MARKER-7731.';
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

async function callThrough(gateway: TestGateway) {
  const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test' });
  const { response } = await client.chat.completions
    .create({
      model: 'gpt-4.1-nano',
      temperature: 0.3,
      // Parameters can carry what was said too: predicted output, stop sequences.
      prediction: { type: 'content', content: 'Discharge summary for PATIENT-MARKER-7731' },
      stop: ['PATIENT-MARKER-STOP'],
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: PROMPT },
      ],
    })
    .withResponse();
  return gateway.event(response.headers.get('x-auditgate-event-id'));
}

/** Every byte the store keeps on disk, as text. */
function storedBytes(gateway: TestGateway): string {
  return ['auditgate.db', 'auditgate.db-wal']
    .map((name) => join(gateway.dataFolder, name))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString('latin1'))
    .join('');
}

describe('capture.mode', () => {
  it('metadata: keeps sizes, hashes, model and usage, and nothing that was said', async () => {
    const gateway = await startTestGateway({
      environment: { AUDITGATE_CAPTURE__MODE: 'metadata' },
    });
    try {
      const event = await callThrough(gateway);
      assert.equal(event.request?.system, null);
      assert.equal(event.request?.messages, null);
      assert.equal(event.response?.output, null);
      assert.equal(event.request?.model, 'gpt-4.1-nano');
      assert.deepEqual(event.request?.parameters, {
        model: 'gpt-4.1-nano',
        temperature: 0.3,
        prediction: { type: 'content', content: null },
        stop: [null],
      });
      assert.match(event.request?.bodySha256 ?? '', /^[0-9a-f]{64}$/);
      assert.deepEqual([event.usage?.inputTokens, event.usage?.outputTokens], [16, 363]);
      assert.ok(!storedBytes(gateway).includes('PATIENT-MARKER'));
    } finally {
      await gateway.stop();
    }
  });

  it("hashes: keeps each message's shape with the SHA-256 of what it said", async () => {
    const gateway = await startTestGateway({ environment: { AUDITGATE_CAPTURE__MODE: 'hashes' } });
    try {
      const event = await callThrough(gateway);
      assert.equal(event.request?.system, sha256(SYSTEM));
      assert.deepEqual(event.request?.messages, [
        { role: 'user', parts: [{ type: 'text', content: sha256(PROMPT) }] },
      ]);
      assert.deepEqual(event.request?.parameters?.stop, [sha256('PATIENT-MARKER-STOP')]);
      const output = event.response?.output?.[0];
      assert.equal(output?.role, 'assistant');
      assert.match(output?.parts[0]?.type === 'text' ? output.parts[0].content : '', /^sha256:/);
      assert.ok(!storedBytes(gateway).includes('PATIENT-MARKER'));
    } finally {
      await gateway.stop();
    }
  });

  it('full (the default): keeps the text', async () => {
    const gateway = await startTestGateway();
    try {
      const event = await callThrough(gateway);
      assert.equal(event.request?.system, SYSTEM);
      assert.ok(storedBytes(gateway).includes('PATIENT-MARKER'));
    } finally {
      await gateway.stop();
    }
  });

  it('overrides: the first override matching the app, provider or model sets the mode', async () => {
    const gateway = await startTestGateway({
      environment: {
        AUDITGATE_CAPTURE__OVERRIDES:
          '[{app: ward, mode: metadata}, {provider: openai, model: gpt-4.1-nano, mode: hashes}]',
      },
    });
    try {
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test' });
      const send = async (model: string, app: string | null) => {
        const { response } = await client.chat.completions
          .create(
            {
              model,
              messages: [
                { role: 'system', content: SYSTEM },
                { role: 'user', content: PROMPT },
              ],
            },
            { headers: app ? { 'x-auditgate-app': app } : {} },
          )
          .withResponse();
        return gateway.event(response.headers.get('x-auditgate-event-id'));
      };
      // The app's override comes first, so it wins over the model's.
      assert.equal((await send('gpt-4.1-nano', 'ward')).request?.system, null);
      assert.equal((await send('gpt-4.1-nano', 'billing')).request?.system, sha256(SYSTEM));
      assert.equal((await send('gpt-4o-mini', 'billing')).request?.system, SYSTEM);
    } finally {
      await gateway.stop();
    }
  });
});
