import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { writeConfig, type ConfigFile } from '../helpers/upstream.js';

const PHONE = '020 7946 0958';

describe('privacy.failureMode: refuse', () => {
  let config: ConfigFile;
  let gateway: TestGateway;
  let client: OpenAI;

  before(async () => {
    config = writeConfig({ privacy: { failureMode: 'refuse' } });
    gateway = await startTestGateway({ configFile: config.path });
    client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'sk-test-openai-key',
      maxRetries: 0,
    });
  });

  after(async () => {
    await gateway.stop();
    config.remove();
  });

  it('forwards a call whose content detection reads, masking it as usual', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: `ring ${PHONE}` }] })
      .withResponse();
    assert.ok(data.choices[0]?.message.content);
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.outcome.status, 'ok');
    assert.equal(event.privacy?.failed, false);
    assert.deepEqual(event.request?.messages?.[0]?.parts, [
      { type: 'text', content: 'ring [PHONE]' },
    ]);
  });

  it('refuses a call whose detection throws, in OpenAI error shape, naming the event only', async () => {
    const settings = gateway.context.privacy;
    assert.ok(settings);
    const regions = settings.scan.regions;
    // A region libphonenumber-js does not know makes the scan throw (the config refuses it, so
    // the running settings are changed to break detection).
    settings.scan.regions = ['XX'];
    try {
      const error = await client.chat.completions
        .create({
          model: 'gpt-4.1-nano',
          messages: [{ role: 'user', content: `call ${PHONE} now` }],
        })
        .then(
          () => assert.fail('the call was forwarded'),
          (caught: unknown) => caught,
        );
      assert.ok(error instanceof OpenAI.APIError);
      assert.equal(error.status, 422);
      assert.equal(error.code, 'privacy_check_failed');
      const eventId = error.headers?.get('x-auditgate-event-id');
      assert.ok(eventId);
      assert.match(error.message, new RegExp(`recorded as event ${eventId}`));
      assert.ok(!error.message.includes('7946'));

      const event = await gateway.event(eventId);
      assert.equal(event.outcome.status, 'rejected');
      assert.equal(event.response?.httpStatus, 422);
      assert.equal(event.privacy?.failed, true);
      assert.deepEqual(event.request?.messages?.[0]?.parts, [
        { type: 'text', content: '[REDACTED]' },
      ]);
      assert.equal(event.attempts.length, 0);
    } finally {
      settings.scan.regions = regions;
    }
  });
});
