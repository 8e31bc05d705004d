import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

// The gateway's port also serves cleartext HTTP/2 (the AWS SDK for JavaScript speaks it);
// a call made over it is recorded like one over HTTP/1.1.

let gateway: TestGateway;

before(async () => {
  gateway = await startTestGateway();
});

after(async () => {
  await gateway.stop();
});

test('an HTTP/2 call keeps each of its tag headers and its attribution', async () => {
  const session = connect(gateway.url);
  const body = JSON.stringify({
    model: 'gpt-4.1-nano',
    messages: [{ role: 'user', content: 'hi' }],
  });
  const stream = session.request({
    ':method': 'POST',
    ':path': '/openai/v1/chat/completions',
    'content-type': 'application/json',
    'x-auditgate-user': 'ada',
    'x-auditgate-tags': ['ticket=T-1', 'region=eu;tier=gold'],
  });
  stream.end(body);

  const [status, eventId] = await new Promise<[number, string]>((resolve, reject) => {
    stream.on('response', (headers) => {
      resolve([Number(headers[':status']), String(headers['x-auditgate-event-id'])]);
    });
    stream.on('error', reject);
  });
  stream.resume();
  await new Promise((resolve) => stream.on('end', resolve));
  session.close();

  assert.equal(status, 200);
  const event = await gateway.event(eventId);
  assert.equal(event.outcome.status, 'ok');
  assert.equal(event.identity.userId, 'ada');
  assert.deepEqual(event.attribution.tags, { ticket: 'T-1', region: 'eu', tier: 'gold' });
});
