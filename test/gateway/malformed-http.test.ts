import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

// Requests that Node's HTTP parser refuses before any route runs: headers over its 16 KiB
// limit, a Content-Length that is not a number, a request line that is not HTTP.

let gateway: TestGateway;

before(async () => {
  gateway = await startTestGateway();
});

after(async () => {
  await gateway.stop();
});

type RawAnswer = { status: number; headers: Map<string, string>; body: string };

/** Sends bytes on a fresh connection and reads the answer until the gateway closes it. */
function sendRaw(raw: string): Promise<RawAnswer> {
  const url = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(url.port), url.hostname, () => socket.write(raw));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = new Map(
        lines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

test('headers over the limit are answered 431 in the provider shape and recorded', async () => {
  const secret = 'sk-header-overflow-secret-0001';
  const answer = await sendRaw(
    'POST /openai/v1/chat/completions?key=query-secret HTTP/1.1\r\nHost: localhost\r\n' +
      `Authorization: Bearer ${secret}\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`,
  );

  assert.equal(answer.status, 431);
  assert.deepEqual(JSON.parse(answer.body), {
    error: {
      message: 'the request headers exceed the limit of 16384 bytes',
      type: 'invalid_request_error',
      param: null,
      code: 'headers_too_large',
    },
  });
  const event = await gateway.event(answer.headers.get('x-auditgate-event-id') ?? null);
  assert.equal(event.kind, 'http.call');
  assert.equal(event.request?.provider, 'openai');
  assert.equal(event.request?.method, 'POST');
  assert.equal(event.request?.path, '/v1/chat/completions?key=[redacted]');
  assert.equal(event.response?.httpStatus, 431);
  assert.equal(event.outcome.status, 'rejected');
  assert.equal(event.identity.authMethod, 'none');
  assert.doesNotMatch(JSON.stringify(event), /header-overflow-secret|query-secret/);
});

test('a Content-Length that is not a number is answered 400 in the provider shape', async () => {
  const answer = await sendRaw(
    'POST /anthropic/v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n{}',
  );

  assert.equal(answer.status, 400);
  assert.deepEqual(JSON.parse(answer.body), {
    type: 'error',
    error: {
      type: 'invalid_request_error',
      message: 'the request is not valid HTTP (HPE_INVALID_CONTENT_LENGTH)',
    },
  });
  const event = await gateway.event(answer.headers.get('x-auditgate-event-id') ?? null);
  assert.equal(event.request?.provider, 'anthropic');
  assert.equal(event.request?.path, '/v1/messages');
  assert.equal(event.response?.httpStatus, 400);
  assert.equal(event.outcome.status, 'rejected');
  assert.equal(event.outcome.error, 'the request is not valid HTTP (HPE_INVALID_CONTENT_LENGTH)');
});

test('a request line that is not HTTP is answered 400 and still recorded', async () => {
  const answer = await sendRaw('GARBAGE\r\n\r\n');

  assert.equal(answer.status, 400);
  const event = await gateway.event(answer.headers.get('x-auditgate-event-id') ?? null);
  assert.equal(event.request?.provider, '');
  assert.equal(event.request?.path, '/');
  assert.equal(event.outcome.status, 'rejected');
});

test('a malformed request to the API is answered in the API shape and leaves no event', async () => {
  const before = await gateway.api('/api/v1/events?limit=100');
  const answer = await sendRaw(
    'GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n',
  );

  assert.equal(answer.status, 400);
  assert.equal(answer.headers.get('x-auditgate-event-id'), undefined);
  assert.deepEqual(JSON.parse(answer.body), {
    error: { code: 'malformed_request', message: 'the request is not valid HTTP' },
  });
  await gateway.flush();
  const afterwards = await gateway.api('/api/v1/events?limit=100');
  const count = (page: { body: unknown }) => (page.body as { events: unknown[] }).events.length;
  assert.equal(count(afterwards), count(before));
});

test('a body that breaks HTTP mid-request leaves one event, not two', async () => {
  const listed = async () => {
    await gateway.flush();
    const page = await gateway.api('/api/v1/events?limit=1000');
    return (page.body as { events: { id: string; kind: string; outcome: { status: string } }[] })
      .events;
  };
  const before = new Set((await listed()).map((event) => event.id));

  await sendRaw(
    'POST /openai/v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n' +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  );
  // The call records itself once its body read ends; give it that moment.
  await new Promise((resolve) => setTimeout(resolve, 300));

  const added = (await listed()).filter((event) => !before.has(event.id));
  assert.deepEqual(
    added.map((event) => [event.kind, event.outcome.status]),
    [['llm.call', 'client_aborted']],
  );
});
