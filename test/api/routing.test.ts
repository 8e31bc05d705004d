import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

type Answer = { status: number; headers: Headers; body: unknown };

const API_ERROR_KEYS = ['code', 'message'];
const FORM = 'application/x-www-form-urlencoded';

/** Asserts the API's error shape: a snake_case code and a sentence starting lower-case. */
function assertApiError(answer: Answer, status: number, code: string, label: string): string {
  assert.equal(answer.status, status, `${label}: ${JSON.stringify(answer.body)}`);
  const { error } = answer.body as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(answer.body as object), ['error'], label);
  assert.deepEqual(Object.keys(error).sort(), API_ERROR_KEYS, label);
  assert.equal(error.code, code, label);
  assert.match(error.message, /^[a-z0-9/'`]/, label);
  assert.equal(answer.headers.get('x-auditgate-event-id'), null, label);
  return error.message;
}

describe('paths and methods under /api', () => {
  let gateway: TestGateway;

  async function send(method: string, path: string, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(gateway.url + path, {
      method,
      ...init,
      headers: { authorization: `Bearer ${gateway.adminToken}`, ...init.headers },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text && JSON.parse(text) };
  }

  /** Sends the path as written: fetch would re-encode a bad `%` escape. */
  function sendRaw(path: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(gateway.url + '/', { path, headers: {} }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const headers = new Headers(incoming.headers as Record<string, string>);
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
          resolve({ status: incoming.statusCode ?? 0, headers, body });
        });
      });
      outgoing.on('error', reject);
      outgoing.setHeader('authorization', `Bearer ${gateway.adminToken}`);
      outgoing.end();
    });
  }

  async function eventCount(): Promise<number> {
    await gateway.flush();
    const { body } = await gateway.api('/api/v1/events?limit=1000');
    return (body as { events: unknown[] }).events.length;
  }

  before(async () => {
    gateway = await startTestGateway();
  });
  after(() => gateway.stop());

  it('answers every path under /api outside v1 as the API, with no provider and no event', async () => {
    const before = await eventCount();
    for (const path of ['/api', '/api/', '/api/anything', '/api/v2/events', '/api/v1x/events']) {
      const message = assertApiError(await send('GET', path), 404, 'not_found', path);
      assert.ok(!message.includes('provider'), message);
    }
    const post = await send('POST', '/api/v2/chat/completions', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [] }),
    });
    assertApiError(post, 404, 'not_found', 'POST /api/v2/chat/completions');
    assertApiError(await send('GET', '/api/v1/nothing-here'), 404, 'not_found', 'v1');
    assert.equal(await eventCount(), before);
  });

  it('asks for the token on every path under /api', async () => {
    for (const path of ['/api', '/api/v2/events', '/api/v1/events']) {
      const answer = await send('GET', path, { headers: { authorization: '' } });
      assertApiError(answer, 401, 'unauthorized', path);
    }
  });

  it('answers a method a route does not take with 405 and the methods it does', async () => {
    const cases: [string, string, RequestInit][] = [
      ['POST', '/api/v1/events', { headers: { 'content-type': FORM }, body: 'user=alice' }],
      ['POST', '/api/v1/events', { headers: { 'content-type': 'text/csv' }, body: 'a,b' }],
      ['PUT', '/api/v1/events', { headers: { 'content-type': 'application/json' }, body: '{' }],
      ['DELETE', '/api/v1/events/01a23c38-0000-7000-8000-000000000000', {}],
      ['PATCH', '/api/v1/health', { body: 'x' }],
    ];
    for (const [method, path, init] of cases) {
      const answer = await send(method, path, init);
      const message = assertApiError(answer, 405, 'method_not_allowed', `${method} ${path}`);
      assert.equal(message, `method: expected GET or HEAD on ${path}, got ${method}`);
      assert.equal(answer.headers.get('allow'), 'GET, HEAD');
    }
    assert.equal((await send('HEAD', '/api/v1/events')).status, 200);
  });

  it("answers Fastify's own errors in the API's shape", async () => {
    const badEscape = await sendRaw('/api/v1/events/%ZZ');
    assertApiError(badEscape, 400, 'bad_url', 'bad escape');
    const tooLarge = await send('POST', '/api/v1/events', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(2_000_000) }),
    });
    assertApiError(tooLarge, 405, 'method_not_allowed', 'large body');
    const longId = await send('GET', `/api/v1/events/${'a'.repeat(3000)}`);
    const message = assertApiError(longId, 404, 'not_found', 'long id');
    assert.ok(!message.includes('a'.repeat(65)), message);
  });

  it('answers bad escapes outside /api as provider calls: in their shape, and recorded', async () => {
    const before = await eventCount();
    const unknown = await sendRaw('/%ZZ/v1/chat/completions?key=AIzaSECRET-ESCAPE');
    assert.equal(unknown.status, 404);
    const body = unknown.body as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'unknown_provider');
    assert.ok(!JSON.stringify(body).includes('SECRET'));

    const eventId = unknown.headers.get('x-auditgate-event-id');
    const event = await gateway.event(eventId);
    assert.equal(event.outcome.status, 'rejected');
    assert.equal(event.request?.path, '/v1/chat/completions?key=[redacted]');
    assert.equal(await eventCount(), before + 1);
  });
});
