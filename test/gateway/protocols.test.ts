import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startTestGateway } from '../helpers/gateway.js';
import { within } from '../helpers/upstream.js';

/** One request over cleartext HTTP/2 (prior knowledge); resolves with status and body. */
async function h2Request(origin: string, path: string, body?: string) {
  const session = http2.connect(origin);
  try {
    const stream = session.request({
      ':method': body === undefined ? 'GET' : 'POST',
      ':path': path,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    });
    stream.end(body);
    const [headers] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    return { status: headers[':status'], headers, text };
  } finally {
    session.close();
  }
}

describe('HTTP/1.1 and cleartext HTTP/2 on one port', () => {
  it('serves both, provider routes included, and records the HTTP/2 call', async () => {
    const gateway = await startTestGateway();
    try {
      const h1 = await fetch(`${gateway.url}/healthz`);
      assert.deepEqual(await h1.json(), { status: 'ok' });

      const health = await h2Request(gateway.url, '/healthz');
      assert.deepEqual([health.status, JSON.parse(health.text)], [200, { status: 'ok' }]);

      const chat = await h2Request(
        gateway.url,
        '/openai/v1/chat/completions',
        JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] }),
      );
      assert.equal(chat.status, 200);
      const event = await gateway.event(String(chat.headers['x-auditgate-event-id']));
      assert.deepEqual(
        [event.outcome.status, event.request?.path, event.request?.model],
        ['ok', '/v1/chat/completions', 'gpt-4.1-nano'],
      );
    } finally {
      await gateway.stop();
    }
  });

  it('closes a connection that has sent nothing when the gateway stops', async () => {
    const gateway = await startTestGateway();
    const { port, hostname } = new URL(gateway.url);
    const silent = connect(Number(port), hostname);
    await once(silent, 'connect');
    const closed = once(silent, 'close');
    await within(3000, 'the gateway stopping', gateway.stop());
    await within(1000, 'the silent connection closing', closed);
  });

  it('serves an HTTP/1.1 client that sends its request a byte at a time', async () => {
    // `POST` begins with `P`, as the HTTP/2 preface does: one byte cannot tell them apart.
    const gateway = await startTestGateway();
    try {
      const { port, hostname } = new URL(gateway.url);
      const body = JSON.stringify({
        model: 'gpt-4.1-nano',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      const request =
        'POST /openai/v1/chat/completions HTTP/1.1\r\n' +
        `Host: ${hostname}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
      const socket = connect(Number(port), hostname);
      socket.setNoDelay(true);
      await once(socket, 'connect');
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      const closed = once(socket, 'close');
      for (const byte of Buffer.from(request)) {
        socket.write(Buffer.from([byte]));
        await sleep(1);
      }
      await within(5000, 'the answer', closed);
      assert.match(answer, /^HTTP\/1\.1 200 /);
      const eventId = /\r\nx-auditgate-event-id: ([^\r]+)\r\n/i.exec(answer)?.[1];
      const event = await gateway.event(eventId ?? null);
      assert.deepEqual([event.outcome.status, event.request?.model], ['ok', 'gpt-4.1-nano']);
    } finally {
      await gateway.stop();
    }
  });
});
